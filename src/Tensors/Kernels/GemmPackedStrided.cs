using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MLNetDeep.Tensors.Kernels;

/// <summary>
/// Serial C = clamp(A·B + bias) with A pre-packed (<see cref="GemmPackedA"/>), B rows and C rows at any
/// stride: the product of a 1×1 convolution over a band of image rows (B row c = channel c's rows in the
/// input, C row o = channel o's rows in a scratch band). Same KC slabs, micro-kernel and epilogue as
/// <see cref="PointwiseConvF32"/>, so every element equals that kernel's bit for bit.
/// </summary>
internal static unsafe class GemmPackedStrided
{
    private const int MR = GemmMicroKernel.MR, NR = GemmMicroKernel.NR, KC = Gemm.KC, NC = Gemm.NC;

    /// <summary>c[o, j] = clamp(Σp A[o, p]·b[p·ldb + j] + bias[o], lo, hi) for o &lt; A.M, j &lt; n, on the calling thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(GemmPackedA a, float* pa, float* b, long ldb, int n, float* c, long ldc, float* bias, float lo, float hi)
    {
        int m = a.M, k = a.K;
        float* bufB = Gemm.ThreadBuffers.B;
        float* tmp = stackalloc float[MR * NR];
        for (int jc = 0; jc < n; jc += NC)
        {
            int nc = Math.Min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC)
            {
                int kc = Math.Min(KC, k - pc);
                bool first = pc == 0, last = pc + kc >= k;
                PackB(b + (long)pc * ldb + jc, ldb, kc, nc, bufB);
                for (int ir = 0; ir < m; ir += MR)
                {
                    int rows = Math.Min(MR, m - ir);
                    float* ap = a.Panel(pa, pc, kc, ir);
                    for (int jr = 0; jr < nc; jr += NR)
                    {
                        int cols = Math.Min(NR, nc - jr);
                        float* bs = bufB + jr * kc;
                        float* ct = c + ir * ldc + jc + jr;
                        if (rows == MR && cols == NR && last && Avx512F.IsSupported)
                        {
                            GemmMicroKernel.TileFinished512(kc, ap, bs, ct, (int)ldc, !first, bias == null ? null : bias + ir, lo, hi);
                            continue;
                        }
                        GemmMicroKernel.Tile(kc, ap, bs, tmp, NR, 1f, 0f);
                        for (int r = 0; r < rows; r++)
                            Combine(tmp + r * NR, ct + r * ldc, cols, bias == null ? 0f : bias[ir + r], first, last, lo, hi);
                    }
                }
            }
        }
    }

    /// <summary>Packs kc rows × nc columns of B (row stride ldb) into NR-wide slivers, zero-padded.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackB(float* b, long ldb, int kc, int nc, float* dst)
    {
        for (int jr = 0; jr < nc; jr += NR)
        {
            int cols = Math.Min(NR, nc - jr);
            float* sliver = dst + jr * kc;
            float* src = b + jr;
            if (cols == NR)
            {
                for (int p = 0; p < kc; p++, src += ldb)
                {
                    Vector512.Store(Vector512.Load(src), sliver + p * NR);
                    Vector512.Store(Vector512.Load(src + 16), sliver + p * NR + 16);
                }
                continue;
            }
            for (int p = 0; p < kc; p++, src += ldb)
            {
                float* d = sliver + p * NR;
                for (int t = 0; t < cols; t++) d[t] = src[t];
                for (int t = cols; t < NR; t++) d[t] = 0f;
            }
        }
    }

    /// <summary>d = (first ? t : d + t); on the last slab d = clamp(d + bias).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Combine(float* t, float* d, int len, float bias, bool first, bool last, float lo, float hi)
    {
        for (int i = 0; i < len; i++)
        {
            float v = first ? t[i] : d[i] + t[i];
            if (last)
            {
                v += bias;
                if (!float.IsNegativeInfinity(lo)) v = MathF.Max(v, lo);
                if (!float.IsPositiveInfinity(hi)) v = MathF.Min(v, hi);
            }
            d[i] = v;
        }
    }
}
