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
    /// <paramref name="minChunk"/> items and runs <paramref name="body"/>(start, end) on each, the first on the caller's thread.
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
        if (chunks == 2)
        {
            // The common case on small machines: one extra task, the caller takes the first half. Whoever
            // gets to the second half first runs it, so a pool thread that starts late (a busy machine,
            // a short kernel) costs no waiting: the caller then runs both halves itself.
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

    /// <summary>A piece of work that exactly one thread may take.</summary>
    private sealed class Claim
    {
        private int _taken;

        public bool TryTake() => Interlocked.Exchange(ref _taken, 1) == 0;
    }

    /// <summary>Shorthand for <see cref="For(int, int, int, Action{int, int})"/> with no cap on the number of chunks.</summary>
    public static void For(int count, int minChunk, Action<int, int> body) => For(count, minChunk, int.MaxValue, body);
}
