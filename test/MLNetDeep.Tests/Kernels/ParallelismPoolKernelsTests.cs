using System.Collections.Concurrent;
using MLNetDeep.Tensors.Kernels;
using NUnit.Framework;

namespace MLNetDeep.Tests.Kernels;

/// <summary>
/// <see cref="Parallelism.For(int, int, int, Action{int, int})"/> on the persistent worker pool: fixed chunk
/// boundaries, every index once, exceptions reach the caller, nested loops run inline, several threads may
/// call at once, and idle workers go to sleep instead of spinning.
/// </summary>
[TestFixture]
public sealed class ParallelismPoolKernelsTests
{
    private int _saved;

    [SetUp]
    public void SaveThreads() => _saved = Parallelism.NumThreads;

    [TearDown]
    public void RestoreThreads() => Parallelism.NumThreads = _saved;

    [Test]
    public void ChunksHaveFixedBoundariesAndCoverEveryIndexOnce([Values(2, 3, 4)] int threads)
    {
        Parallelism.NumThreads = threads;
        foreach (int count in new[] { 2, 3, 7, 100, 1001 })
        for (int round = 0; round < 50; round++)
        {
            var hits = new int[count];
            var ranges = new ConcurrentBag<(int, int)>();
            Parallelism.For(count, 1, (s, e) =>
            {
                ranges.Add((s, e));
                if (round % 3 == 1 && s == 0) Thread.SpinWait(3000); // let the workers take more chunks
                for (int i = s; i < e; i++) Interlocked.Increment(ref hits[i]);
            });
            Assert.That(hits, Is.All.EqualTo(1), $"threads {threads}, count {count}, round {round}");
            int chunks = Math.Min(threads, count);
            var expected = Enumerable.Range(0, chunks).Select(c => ((int)((long)count * c / chunks), (int)((long)count * (c + 1) / chunks)));
            Assert.That(ranges.OrderBy(r => r.Item1), Is.EqualTo(expected), $"threads {threads}, count {count}");
        }
    }

    [Test]
    public void ExceptionFromAnyChunkPropagates()
    {
        Parallelism.NumThreads = 3;
        for (int round = 0; round < 30; round++)
        {
            int bad = round % 3;
            var ex = Assert.Throws<InvalidOperationException>(() => Parallelism.For(30, 1, (s, e) =>
            {
                if (s / 10 == bad) throw new InvalidOperationException($"chunk {bad}");
            }));
            Assert.That(ex!.Message, Is.EqualTo($"chunk {bad}"));
        }
        // The pool still works after a failed loop.
        int sum = 0;
        Parallelism.For(30, 1, (s, e) => Interlocked.Add(ref sum, e - s));
        Assert.That(sum, Is.EqualTo(30));
    }

    [Test]
    public void NestedLoopsRunInlineWithTheSameChunks()
    {
        Parallelism.NumThreads = 2;
        var inner = new ConcurrentBag<(int, int, int)>();
        Parallelism.For(4, 1, (s, e) =>
        {
            int thread = Environment.CurrentManagedThreadId;
            Parallelism.For(10, 1, (s2, e2) => inner.Add((s2, e2, Environment.CurrentManagedThreadId == thread ? 1 : 0)));
        });
        Assert.That(inner.Select(r => (r.Item1, r.Item2)).OrderBy(r => r), Is.EqualTo(new[] { (0, 5), (0, 5), (5, 10), (5, 10) }));
        Assert.That(inner.All(r => r.Item3 == 1), Is.True, "a nested loop stays on the thread of its outer chunk");
    }

    [Test]
    public void ConcurrentCallersAllComplete()
    {
        Parallelism.NumThreads = 2;
        const int callers = 4, loops = 300, count = 64;
        var totals = new long[callers];
        var threads = Enumerable.Range(0, callers).Select(t => new Thread(() =>
        {
            for (int l = 0; l < loops; l++)
                Parallelism.For(count, 1, (s, e) => { for (int i = s; i < e; i++) Interlocked.Add(ref totals[t], i); });
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => Assert.That(t.Join(TimeSpan.FromSeconds(60)), Is.True, "a caller hung"));
        Assert.That(totals, Is.All.EqualTo((long)loops * count * (count - 1) / 2));
    }

    [Test]
    public void IdleWorkersSleep()
    {
        if (!Directory.Exists("/proc/self/task")) Assert.Ignore("needs Linux /proc to read the workers' CPU time");
        Parallelism.NumThreads = 2;
        for (int i = 0; i < 20; i++) Parallelism.For(1000, 1, (s, e) => Thread.SpinWait(100));
        Thread.Sleep(50); // past the spin window
        long before = WorkerCpuTicks();
        Thread.Sleep(500);
        long ticks = WorkerCpuTicks() - before;
        Assert.That(ticks, Is.LessThan(10), "an idle worker kept spinning (CPU ticks of 10 ms over 500 ms idle)");
    }

    /// <summary>User + system CPU time (clock ticks) of the pool's threads, found by their name in /proc.</summary>
    private static long WorkerCpuTicks()
    {
        long total = 0;
        int found = 0;
        foreach (string task in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                if (!File.ReadAllText(Path.Combine(task, "comm")).StartsWith("MLNetDeep kern", StringComparison.Ordinal)) continue;
                string stat = File.ReadAllText(Path.Combine(task, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                total += long.Parse(fields[11]) + long.Parse(fields[12]); // utime, stime (fields 14, 15)
                found++;
            }
            catch (IOException) { } // the thread ended meanwhile
        }
        Assert.That(found, Is.GreaterThan(0), "no pool worker thread found");
        return total;
    }
}
