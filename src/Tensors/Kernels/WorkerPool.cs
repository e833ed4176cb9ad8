using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace MLNetDeep.Tensors.Kernels;

/// <summary>
/// The persistent workers behind <see cref="Parallelism.For(int, int, int, Action{int, int})"/>: dedicated
/// background threads that spin for a few tens of microseconds after each job (so the next kernel's
/// parallel loop starts in microseconds) and then sleep on a semaphore (so idle workers cost no CPU).
/// One job runs at a time; a caller that finds the pool busy gets <c>false</c> from
/// <see cref="TryRun"/> and runs its loop another way. Chunks are claimed dynamically by the caller and
/// the workers, but their boundaries are fixed, so results do not depend on who runs which chunk.
/// </summary>
internal static class WorkerPool
{
    /// <summary>How long an idle worker spins before it sleeps.</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 20_000; // 50 µs

    private static readonly object Grow = new();
    private static Worker[] _workers = [];
    private static Job? _current;
    private static long _generation;
    private static int _busy;

    /// <summary>True on a pool worker and on a caller while its job runs: nested loops run inline there.</summary>
    [ThreadStatic] private static bool _inside;

    /// <summary>Whether the current thread is running a chunk of a pool job.</summary>
    public static bool Inside => _inside;

    /// <summary>
    /// Runs <paramref name="body"/> on chunk c = <c>[count·c/chunks, count·(c+1)/chunks)</c> for every
    /// c, the caller taking chunks too, and returns once all are done (rethrowing the first exception).
    /// Returns false without running anything when another job holds the pool.
    /// </summary>
    public static bool TryRun(int count, int chunks, Action<int, int> body)
    {
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0) return false;
        try
        {
            var workers = EnsureWorkers(chunks - 1);
            var job = new Job(count, chunks, body);
            Volatile.Write(ref _current, job);
            Interlocked.Increment(ref _generation);
            for (int i = 0; i < chunks - 1 && i < workers.Length; i++) workers[i].Wake();
            _inside = true;
            try { job.Work(); }
            finally { _inside = false; }
            job.WaitAll();
            Volatile.Write(ref _current, null);
            job.Rethrow();
            return true;
        }
        finally { Volatile.Write(ref _busy, 0); }
    }

    private static Worker[] EnsureWorkers(int wanted)
    {
        var workers = Volatile.Read(ref _workers);
        if (workers.Length >= wanted) return workers;
        lock (Grow)
        {
            workers = _workers;
            if (workers.Length >= wanted) return workers;
            var grown = new Worker[wanted];
            Array.Copy(workers, grown, workers.Length);
            for (int i = workers.Length; i < wanted; i++) grown[i] = new Worker(i);
            Volatile.Write(ref _workers, grown);
            return grown;
        }
    }

    /// <summary>One parallel loop: fixed chunks claimed through a counter; the last finisher signals the caller.</summary>
    private sealed class Job(int count, int chunks, Action<int, int> body)
    {
        private readonly ManualResetEventSlim _done = new(false, 64);
        private int _next, _finished;
        private ExceptionDispatchInfo? _error;

        /// <summary>Claims and runs chunks until none is left.</summary>
        public void Work()
        {
            int c;
            while ((c = Interlocked.Increment(ref _next) - 1) < chunks)
            {
                try
                {
                    if (_error == null) body((int)((long)count * c / chunks), (int)((long)count * (c + 1) / chunks));
                }
                catch (Exception e) { Interlocked.CompareExchange(ref _error, ExceptionDispatchInfo.Capture(e), null); }
                finally
                {
                    if (Interlocked.Increment(ref _finished) == chunks) _done.Set();
                }
            }
        }

        public void WaitAll()
        {
            // Not disposed: a worker may still be inside Set() when the count already reads complete.
            if (Volatile.Read(ref _finished) != chunks) _done.Wait();
        }

        public void Rethrow() => _error?.Throw();
    }

    /// <summary>A dedicated background thread: spins briefly for a new generation, then sleeps until woken.</summary>
    private sealed class Worker
    {
        private readonly SemaphoreSlim _wake = new(0);
        private int _sleeping;

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"MLNetDeep kernel worker {index + 1}" };
            thread.Start();
        }

        /// <summary>Called by the caller after publishing a job: releases the worker if it sleeps.</summary>
        public void Wake()
        {
            if (Interlocked.CompareExchange(ref _sleeping, 0, 1) == 1) _wake.Release();
        }

        private void Loop()
        {
            _inside = true;
            long seen = Volatile.Read(ref _generation);
            while (true)
            {
                long start = Stopwatch.GetTimestamp();
                while (Volatile.Read(ref _generation) == seen)
                {
                    if (Stopwatch.GetTimestamp() - start > SpinTicks)
                    {
                        Sleep(seen);
                        break;
                    }
                    Thread.SpinWait(20);
                }
                seen = Volatile.Read(ref _generation);
                Volatile.Read(ref _current)?.Work();
            }
        }

        /// <summary>Sleeps until a caller wakes this worker, unless a job arrived meanwhile.</summary>
        private void Sleep(long seen)
        {
            Interlocked.Exchange(ref _sleeping, 1);
            if (Volatile.Read(ref _generation) != seen && Interlocked.CompareExchange(ref _sleeping, 0, 1) == 1) return;
            _wake.Wait(); // the caller cleared _sleeping and released (or will release) the semaphore
        }
    }
}
