using MLNetDeep.Estimators.Vision.Detection;
using NUnit.Framework;

namespace MLNetDeep.Tests.Detection;

public class BatchPrefetchTests
{
    [Test]
    public void ItemsComeInTheSourceOrderFromAnotherThread()
    {
        int consumer = Environment.CurrentManagedThreadId;
        var producers = new HashSet<int>();
        IEnumerable<int> Source()
        {
            for (int i = 0; i < 50; i++)
            {
                lock (producers) producers.Add(Environment.CurrentManagedThreadId);
                yield return i;
            }
        }
        Assert.That(BatchPrefetch.Run(Source(), 2, CancellationToken.None).ToList(), Is.EqualTo(Enumerable.Range(0, 50)));
        Assert.That(producers, Has.Count.EqualTo(1));
        Assert.That(producers.Single(), Is.Not.EqualTo(consumer));
    }

    [Test]
    public void TheSourceRunsAtMostDepthItemsAhead()
    {
        int produced = 0;
        IEnumerable<int> Source()
        {
            for (int i = 0; i < 100; i++)
            {
                Interlocked.Increment(ref produced);
                yield return i;
            }
        }
        using var e = BatchPrefetch.Run(Source(), 3, CancellationToken.None).GetEnumerator();
        Assert.That(e.MoveNext(), Is.True);
        Thread.Sleep(200);
        // One taken, three queued, one produced and waiting for room.
        Assert.That(Volatile.Read(ref produced), Is.LessThanOrEqualTo(5));
    }

    [Test]
    public void AnExceptionOfTheSourceKeepsItsType()
    {
        IEnumerable<int> Source()
        {
            yield return 1;
            throw new FormatException("bad row 2");
        }
        var seen = new List<int>();
        var e = Assert.Throws<FormatException>(() => { foreach (int i in BatchPrefetch.Run(Source(), 2, CancellationToken.None)) seen.Add(i); });
        Assert.That(e!.Message, Is.EqualTo("bad row 2"));
        Assert.That(seen, Is.EqualTo(new[] { 1 }));
    }

    [Test]
    public void StoppingEarlyStopsTheSource()
    {
        var finished = new ManualResetEventSlim();
        int produced = 0;
        IEnumerable<int> Source()
        {
            try
            {
                for (int i = 0; i < 1_000_000; i++)
                {
                    Interlocked.Increment(ref produced);
                    yield return i;
                }
            }
            finally
            {
                finished.Set();
            }
        }
        Assert.That(BatchPrefetch.Run(Source(), 2, CancellationToken.None).Take(3).ToList(), Is.EqualTo(new[] { 0, 1, 2 }));
        // The producer thread has been joined by then: the source was disposed well before its end.
        Assert.That(finished.IsSet, Is.True);
        Assert.That(Volatile.Read(ref produced), Is.LessThan(10));
    }

    [Test]
    public void AnAlreadyCancelledTokenIsNotTakenForTheEnd()
    {
        // The producer stops at once and completes the queue; the consumer must still report the cancellation.
        for (int run = 0; run < 200; run++)
        {
            using var cts = new CancellationTokenSource();
            cts.Cancel();
            Assert.Throws<OperationCanceledException>(() => BatchPrefetch.Run(Enumerable.Range(0, 3), 2, cts.Token).ToList());
        }
    }

    [Test]
    public void CancellationStopsTheConsumer()
    {
        using var cts = new CancellationTokenSource();
        IEnumerable<int> Endless()
        {
            for (int i = 0; ; i++) yield return i;
        }
        var seen = 0;
        Assert.Throws<OperationCanceledException>(() =>
        {
            foreach (int i in BatchPrefetch.Run(Endless(), 2, cts.Token))
                if (++seen == 5) cts.Cancel();
        });
        Assert.That(seen, Is.EqualTo(5));
    }
}
