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
