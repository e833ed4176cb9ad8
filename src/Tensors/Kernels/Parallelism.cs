namespace MLNetDeep.Tensors.Kernels;

/// <summary>
/// Controls how many cores the engine's kernels use. Every multi-threaded kernel (GEMM, large
/// elementwise and reduction loops) goes through <see cref="For(int, int, int, Action{int, int})"/>.
/// </summary>
public static class Parallelism
{
    private static int _numThreads = Environment.ProcessorCount;

    /// <summary>Number of worker threads kernels may use (default: all logical cores). Set to 1 for serial kernels.</summary>
    public static int NumThreads
    {
        get => _numThreads;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(NumThreads));
            _numThreads = value;
        }
    }

    /// <summary>
    /// Splits <c>[0, count)</c> into at most <see cref="NumThreads"/> contiguous chunks of at least
    /// <paramref name="minChunk"/> items and runs <paramref name="body"/>(start, end) on each; the caller's
    /// thread takes chunks too. Chunks run on persistent workers that spin briefly between loops (so a
    /// kernel's loop starts in microseconds); a loop nested inside a chunk runs its chunks in order on
    /// that thread, and a caller that finds the workers busy with another thread's loop falls back to
    /// the .NET thread pool. Chunk boundaries depend only on the arguments, never on who runs them.
    /// </summary>
    public static void For(int count, int minChunk, int maxChunks, Action<int, int> body)
    {
        if (count <= 0) return;
        int chunks = Math.Min(Math.Min(NumThreads, maxChunks), Math.Max(1, count / Math.Max(1, minChunk)));
        if (chunks <= 1)
        {
            body(0, count);
            return;
        }
        if (WorkerPool.Inside)
        {
            // A nested loop (inside a chunk of a pooled loop): the outer loop already uses every thread.
            RunChunksInline(count, chunks, body);
            return;
        }
        if (WorkerPool.TryRun(count, chunks, body)) return;
        if (chunks == 2)
        {
            // The pool is busy with another caller's loop: one extra task, the caller takes the first half.
            // Whoever gets to the second half first runs it, so a pool thread that starts late costs no waiting.
            int mid = count / 2;
            var second = new Claim();
            var other = Task.Run(() => { if (second.TryTake()) body(mid, count); });
            body(0, mid);
            if (second.TryTake()) body(mid, count);
            else other.GetAwaiter().GetResult();
            return;
        }
        System.Threading.Tasks.Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = chunks }, c =>
        {
            long start = (long)count * c / chunks, end = (long)count * (c + 1) / chunks;
            body((int)start, (int)end);
        });
    }

    private static void RunChunksInline(int count, int chunks, Action<int, int> body)
    {
        for (int c = 0; c < chunks; c++) body((int)((long)count * c / chunks), (int)((long)count * (c + 1) / chunks));
    }

    /// <summary>A piece of work that exactly one thread may take.</summary>
    private sealed class Claim
    {
        private int _taken;

        public bool TryTake() => Interlocked.Exchange(ref _taken, 1) == 0;
    }

    /// <summary>Shorthand for <see cref="For(int, int, int, Action{int, int})"/> with no cap on the number of chunks.</summary>
    public static void For(int count, int minChunk, Action<int, int> body) => For(count, minChunk, int.MaxValue, body);
}
