using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MLNetDeep.Tensors.Kernels;

/// <summary>
/// Packs GEMM operands into the layouts the micro-kernel streams: A blocks as panels of
/// <see cref="GemmMicroKernel.MR"/> rows (p-major: MR values per k), B panels as slivers of
/// <see cref="GemmMicroKernel.NR"/> columns (NR values per k). Ragged edges are zero-padded so the
/// micro-kernel always computes full tiles.
/// </summary>
internal static unsafe class GemmPacking
{
    private const int MR = GemmMicroKernel.MR, NR = GemmMicroKernel.NR;

    /// <summary>Packs op(A)[i0..i0+mc, p0..p0+kc] into <paramref name="dst"/> (ceil(mc/MR)·MR·kc floats).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA(bool transA, float* a, int lda, int i0, int mc, int p0, int kc, float* dst)
    {
        for (int ir = 0; ir < mc; ir += MR)
        {
            int rows = Math.Min(MR, mc - ir);
            float* panel = dst + ir * kc;
            if (transA)
            {
                // op(A)[i, p] = a[p * lda + i]: each k step reads MR contiguous floats.
                for (int p = 0; p < kc; p++)
                {
                    float* src = a + (long)(p0 + p) * lda + i0 + ir;
                    float* d = panel + p * MR;
                    if (rows == MR) Vector256.Store(Vector256.Load(src), d);
                    else
                    {
                        int i = 0;
                        for (; i < rows; i++) d[i] = src[i];
                        for (; i < MR; i++) d[i] = 0;
                    }
                }
            }
            else
            {
                // op(A)[i, p] = a[i * lda + p]: walk each row once, scattering into the panel.
                for (int i = 0; i < rows; i++)
                {
                    float* src = a + (long)(i0 + ir + i) * lda + p0;
                    for (int p = 0; p < kc; p++) panel[p * MR + i] = src[p];
                }
                for (int i = rows; i < MR; i++)
                    for (int p = 0; p < kc; p++) panel[p * MR + i] = 0;
            }
        }
    }

    /// <summary>Packs op(B)[p0..p0+kc, j0..j0+nc] into <paramref name="dst"/> (ceil(nc/NR)·NR·kc floats).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(bool transB, float* b, int ldb, int p0, int kc, int j0, int nc, float* dst)
    {
        for (int jr = 0; jr < nc; jr += NR)
        {
            int cols = Math.Min(NR, nc - jr);
            float* sliver = dst + jr * kc;
            if (!transB)
            {
                // op(B)[p, j] = b[p * ldb + j]: NR contiguous floats per k step.
                for (int p = 0; p < kc; p++)
                {
                    float* src = b + (long)(p0 + p) * ldb + j0 + jr;
                    float* d = sliver + p * NR;
                    if (cols == NR)
                    {
                        Vector512.Store(Vector512.Load(src), d);
                        Vector512.Store(Vector512.Load(src + 16), d + 16);
                    }
                    else
                    {
                        int j = 0;
                        for (; j < cols; j++) d[j] = src[j];
                        for (; j < NR; j++) d[j] = 0;
                    }
                }
            }
            else
            {
                // op(B)[p, j] = b[j * ldb + p]: walk each stored row (a column of op(B)) once.
                for (int j = 0; j < cols; j++)
                {
                    float* src = b + (long)(j0 + jr + j) * ldb + p0;
                    for (int p = 0; p < kc; p++) sliver[p * NR + j] = src[p];
                }
                for (int j = cols; j < NR; j++)
                    for (int p = 0; p < kc; p++) sliver[p * NR + j] = 0;
            }
        }
    }
}
