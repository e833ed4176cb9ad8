using System.Runtime.CompilerServices;

namespace MLNetDeep.Tensors.Kernels;

/// <summary>
/// A GEMM left operand A ([M, K], row-major) packed once into the micro-kernel's MR-row panels for every
/// <see cref="Gemm.KC"/>-deep k slab, so a constant weight matrix is not repacked on every call. Slab pc
/// (kc = min(KC, K − pc) deep) starts at pc·MPad; its panel for rows [i, i + MR) starts i·kc further on.
/// </summary>
internal sealed unsafe class GemmPackedA
{
    /// <summary>Rows and inner dimension of A.</summary>
    public int M { get; }

    /// <inheritdoc cref="M"/>
    public int K { get; }

    /// <summary>Rows rounded up to a whole number of micro-kernel panels.</summary>
    public int MPad { get; }

    /// <summary>The packed values (at least MPad·K floats; may be a pooled array that is longer).</summary>
    public float[] Data { get; }

    private GemmPackedA(int m, int k, bool pooled)
    {
        M = m;
        K = k;
        MPad = (m + GemmMicroKernel.MR - 1) / GemmMicroKernel.MR * GemmMicroKernel.MR;
        int length = Math.Max(1, MPad * k);
        Data = pooled ? BufferPool.Rent<float>(length) : new float[length];
    }

    /// <summary>Packs a[m, k] (row stride <paramref name="lda"/>); <paramref name="pooled"/> takes the storage from the buffer pool (give it back with <see cref="Release"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static GemmPackedA Pack(float* a, int lda, int m, int k, bool pooled = false)
    {
        var p = new GemmPackedA(m, k, pooled);
        fixed (float* d = p.Data)
            for (int pc = 0; pc < k; pc += Gemm.KC)
                GemmPacking.PackA(false, a, lda, 0, m, pc, Math.Min(Gemm.KC, k - pc), d + (long)pc * p.MPad);
        return p;
    }

    /// <summary>Returns pooled storage (only for instances packed with pooled: true and no longer used).</summary>
    public void Release() => BufferPool.Return(Data);

    /// <summary>Panel of rows [i0, i0 + MR) in the slab starting at <paramref name="pc"/> (depth <paramref name="kc"/>), given the pinned <see cref="Data"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float* Panel(float* data, int pc, int kc, int i0) => data + (long)pc * MPad + (long)i0 * kc;
}
