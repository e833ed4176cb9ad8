namespace MLNetDeep.Tensors.Kernels;

/// <summary>
/// Recycles large storage arrays so a training loop does not keep asking the OS for fresh pages
/// (on this kind of machine a first touch of new memory costs more than the arithmetic done on it).
/// Only the engine returns buffers, and only ones it can prove nobody else references (gradients
/// consumed during backward); everything else is left to the GC. Invisible to users.
/// </summary>
internal static class BufferPool
{
    /// <summary>Arrays shorter than this are left to the GC's gen0, which handles them well.</summary>
    public const int MinLength = 1 << 14;
    private const long MaxPooledBytes = 1L << 30;

    private static readonly Dictionary<(Type, int), Stack<Array>> Buckets = new();
    private static readonly object Gate = new();
    private static long _pooledBytes;

    public static T[] Rent<T>(int length) where T : unmanaged
    {
        if (length >= MinLength)
        {
            lock (Gate)
            {
                if (Buckets.TryGetValue((typeof(T), length), out var stack) && stack.Count > 0)
                {
                    _pooledBytes -= (long)length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
                    return (T[])stack.Pop();
                }
            }
        }
        return GC.AllocateUninitializedArray<T>(length);
    }

    /// <summary>Takes back an array that no tensor references any more.</summary>
    public static void Return(Array array)
    {
        int length = array.Length;
        if (length < MinLength) return;
        long bytes = (long)length * (array is float[] ? 4 : 8);
        lock (Gate)
        {
            if (_pooledBytes + bytes > MaxPooledBytes) return;
            var key = (array.GetType().GetElementType()!, length);
            if (!Buckets.TryGetValue(key, out var stack)) Buckets[key] = stack = new Stack<Array>();
            stack.Push(array);
            _pooledBytes += bytes;
        }
    }

    /// <summary>Bytes currently held for reuse (diagnostics and tests).</summary>
    public static long PooledBytes
    {
        get { lock (Gate) return _pooledBytes; }
    }
}
