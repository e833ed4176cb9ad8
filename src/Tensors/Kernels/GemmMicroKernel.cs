using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MLNetDeep.Tensors.Kernels;

/// <summary>
/// The register-blocked inner kernel: an MR×NR tile of C accumulated over kc steps from a packed A
/// panel and a packed B sliver, kept entirely in vector registers (16 × 512-bit accumulators).
/// </summary>
internal static unsafe class GemmMicroKernel
{
    public const int MR = 8, NR = 32;

    /// <summary>C[MR×NR] = alpha·(Apanel·Bsliver) + beta·C, for a full tile (ldc = row stride of C).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Tile(int kc, float* a, float* b, float* c, int ldc, float alpha, float beta)
    {
        if (Avx512F.IsSupported) Tile512(kc, a, b, c, ldc, alpha, beta);
        else TilePortable(kc, a, b, c, ldc, alpha, beta);
    }

    /// <summary>Computes a full tile into a scratch buffer, then writes only rows × cols of it to C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PartialTile(int kc, float* a, float* b, float* c, int ldc, int rows, int cols, float alpha, float beta)
    {
        float* tmp = stackalloc float[MR * NR];
        Tile(kc, a, b, tmp, NR, 1f, 0f);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
            {
                float v = alpha * tmp[i * NR + j];
                c[(long)i * ldc + j] = beta == 0 ? v : v + beta * c[(long)i * ldc + j];
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile512(int kc, float* a, float* b, float* c, int ldc, float alpha, float beta)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.LoadAligned(b);
            var b1 = Vector512.LoadAligned(b + 16);
            Vector512<float> ai;
            ai = Vector512.Create(a[0]); c00 = Avx512F.FusedMultiplyAdd(ai, b0, c00); c01 = Avx512F.FusedMultiplyAdd(ai, b1, c01);
            ai = Vector512.Create(a[1]); c10 = Avx512F.FusedMultiplyAdd(ai, b0, c10); c11 = Avx512F.FusedMultiplyAdd(ai, b1, c11);
            ai = Vector512.Create(a[2]); c20 = Avx512F.FusedMultiplyAdd(ai, b0, c20); c21 = Avx512F.FusedMultiplyAdd(ai, b1, c21);
            ai = Vector512.Create(a[3]); c30 = Avx512F.FusedMultiplyAdd(ai, b0, c30); c31 = Avx512F.FusedMultiplyAdd(ai, b1, c31);
            ai = Vector512.Create(a[4]); c40 = Avx512F.FusedMultiplyAdd(ai, b0, c40); c41 = Avx512F.FusedMultiplyAdd(ai, b1, c41);
            ai = Vector512.Create(a[5]); c50 = Avx512F.FusedMultiplyAdd(ai, b0, c50); c51 = Avx512F.FusedMultiplyAdd(ai, b1, c51);
            ai = Vector512.Create(a[6]); c60 = Avx512F.FusedMultiplyAdd(ai, b0, c60); c61 = Avx512F.FusedMultiplyAdd(ai, b1, c61);
            ai = Vector512.Create(a[7]); c70 = Avx512F.FusedMultiplyAdd(ai, b0, c70); c71 = Avx512F.FusedMultiplyAdd(ai, b1, c71);
            a += MR;
            b += NR;
        }
        Store(c, alpha, beta, c00, c01); c += ldc;
        Store(c, alpha, beta, c10, c11); c += ldc;
        Store(c, alpha, beta, c20, c21); c += ldc;
        Store(c, alpha, beta, c30, c31); c += ldc;
        Store(c, alpha, beta, c40, c41); c += ldc;
        Store(c, alpha, beta, c50, c51); c += ldc;
        Store(c, alpha, beta, c60, c61); c += ldc;
        Store(c, alpha, beta, c70, c71);
    }

    /// <summary>
    /// AVX-512 only (callers check <see cref="Avx512F.IsSupported"/>): a full tile whose epilogue finishes the
    /// output in registers: C = clamp((accumulate ? C : 0) + A·B + bias[row], lo, hi), the same operations in
    /// the same order as <see cref="Tile"/> (alpha 1) followed by a bias-and-clamp pass, so results are bit-identical.
    /// <paramref name="bias"/> points at the tile's first row's bias (null: none); an infinite bound is not applied.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TileFinished512(int kc, float* a, float* b, float* c, int ldc, bool accumulate, float* bias, float lo, float hi)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.LoadAligned(b);
            var b1 = Vector512.LoadAligned(b + 16);
            Vector512<float> ai;
            ai = Vector512.Create(a[0]); c00 = Avx512F.FusedMultiplyAdd(ai, b0, c00); c01 = Avx512F.FusedMultiplyAdd(ai, b1, c01);
            ai = Vector512.Create(a[1]); c10 = Avx512F.FusedMultiplyAdd(ai, b0, c10); c11 = Avx512F.FusedMultiplyAdd(ai, b1, c11);
            ai = Vector512.Create(a[2]); c20 = Avx512F.FusedMultiplyAdd(ai, b0, c20); c21 = Avx512F.FusedMultiplyAdd(ai, b1, c21);
            ai = Vector512.Create(a[3]); c30 = Avx512F.FusedMultiplyAdd(ai, b0, c30); c31 = Avx512F.FusedMultiplyAdd(ai, b1, c31);
            ai = Vector512.Create(a[4]); c40 = Avx512F.FusedMultiplyAdd(ai, b0, c40); c41 = Avx512F.FusedMultiplyAdd(ai, b1, c41);
            ai = Vector512.Create(a[5]); c50 = Avx512F.FusedMultiplyAdd(ai, b0, c50); c51 = Avx512F.FusedMultiplyAdd(ai, b1, c51);
            ai = Vector512.Create(a[6]); c60 = Avx512F.FusedMultiplyAdd(ai, b0, c60); c61 = Avx512F.FusedMultiplyAdd(ai, b1, c61);
            ai = Vector512.Create(a[7]); c70 = Avx512F.FusedMultiplyAdd(ai, b0, c70); c71 = Avx512F.FusedMultiplyAdd(ai, b1, c71);
            a += MR;
            b += NR;
        }
        var e = new Epilogue(accumulate, lo, hi);
        e.Store(c, bias, 0, c00, c01); c += ldc;
        e.Store(c, bias, 1, c10, c11); c += ldc;
        e.Store(c, bias, 2, c20, c21); c += ldc;
        e.Store(c, bias, 3, c30, c31); c += ldc;
        e.Store(c, bias, 4, c40, c41); c += ldc;
        e.Store(c, bias, 5, c50, c51); c += ldc;
        e.Store(c, bias, 6, c60, c61); c += ldc;
        e.Store(c, bias, 7, c70, c71);
    }

    /// <summary>The finishing store of <see cref="TileFinished512"/>: accumulate, add the row's bias, clamp.</summary>
    private readonly struct Epilogue(bool accumulate, float lo, float hi)
    {
        private readonly bool _accumulate = accumulate, _clampLo = !float.IsNegativeInfinity(lo), _clampHi = !float.IsPositiveInfinity(hi);
        private readonly Vector512<float> _lo = Vector512.Create(lo), _hi = Vector512.Create(hi);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store(float* c, float* bias, int row, Vector512<float> v0, Vector512<float> v1)
        {
            if (_accumulate)
            {
                v0 = Vector512.Load(c) + v0;
                v1 = Vector512.Load(c + 16) + v1;
            }
            var vb = Vector512.Create(bias != null ? bias[row] : 0f);
            v0 += vb;
            v1 += vb;
            if (_clampLo) { v0 = Vector512.Max(v0, _lo); v1 = Vector512.Max(v1, _lo); }
            if (_clampHi) { v0 = Vector512.Min(v0, _hi); v1 = Vector512.Min(v1, _hi); }
            Vector512.Store(v0, c);
            Vector512.Store(v1, c + 16);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, float alpha, float beta, Vector512<float> lo, Vector512<float> hi)
    {
        if (alpha != 1f)
        {
            var va = Vector512.Create(alpha);
            lo *= va;
            hi *= va;
        }
        if (beta == 0f)
        {
            Vector512.Store(lo, c);
            Vector512.Store(hi, c + 16);
        }
        else if (beta == 1f)
        {
            Vector512.Store(Vector512.Load(c) + lo, c);
            Vector512.Store(Vector512.Load(c + 16) + hi, c + 16);
        }
        else
        {
            var vb = Vector512.Create(beta);
            Vector512.Store(Avx512F.FusedMultiplyAdd(Vector512.Load(c), vb, lo), c);
            Vector512.Store(Avx512F.FusedMultiplyAdd(Vector512.Load(c + 16), vb, hi), c + 16);
        }
    }

    /// <summary>Same tile with portable vectors, for CPUs without AVX-512.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TilePortable(int kc, float* a, float* b, float* c, int ldc, float alpha, float beta)
    {
        float* acc = stackalloc float[MR * NR];
        new Span<float>(acc, MR * NR).Clear();
        int w = Vector256<float>.Count;
        for (int p = 0; p < kc; p++)
        {
            for (int i = 0; i < MR; i++)
            {
                var ai = Vector256.Create(a[i]);
                float* row = acc + i * NR;
                for (int j = 0; j < NR; j += w)
                    Vector256.Store(Vector256.Load(row + j) + ai * Vector256.Load(b + j), row + j);
            }
            a += MR;
            b += NR;
        }
        for (int i = 0; i < MR; i++)
            for (int j = 0; j < NR; j++)
            {
                float v = alpha * acc[i * NR + j];
                c[(long)i * ldc + j] = beta == 0 ? v : v + beta * c[(long)i * ldc + j];
            }
    }
}
