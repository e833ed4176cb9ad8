using System.Runtime.CompilerServices;

namespace MLNetDeep.Estimators.Word2Vec;

/// <summary>A small per-thread random stream (xorshift64*), seeded through splitmix64; a struct, so draws never allocate.</summary>
internal struct Word2VecRandom
{
    private ulong _state;

    public Word2VecRandom(ulong seed)
    {
        ulong z = seed + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        _state = (z ^ (z >> 31)) | 1UL;
    }

    /// <summary>64 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Next()
    {
        _state ^= _state >> 12;
        _state ^= _state << 25;
        _state ^= _state >> 27;
        return _state * 0x2545F4914F6CDD1DUL;
    }

    /// <summary>Uniform in [0, 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float NextFloat() => (Next() >> 40) * (1f / (1 << 24));

    /// <summary>Uniform in [0, n) (n small next to 2^32).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int NextInt(int n) => (int)(((Next() >> 32) * (ulong)n) >> 32);
}
