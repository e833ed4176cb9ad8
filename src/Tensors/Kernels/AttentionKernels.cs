using System.Numerics;
using System.Runtime.CompilerServices;

namespace MLNetDeep.Tensors.Kernels;

/// <summary>
/// A [N, H, L, D] operand of the attention kernel: an array, an offset and the strides of the first
/// three dims (the last dim has stride 1), so head-split views of projection outputs are read in place.
/// </summary>
internal readonly record struct Strided4<T>(T[] Data, int Offset, int S0, int S1, int S2)
{
    public int At(int n, int h) => Offset + n * S0 + h * S1;
}

/// <summary>
/// Fused scaled-dot-product attention per (batch, head) pair: S = scale·Q·Kᵀ + mask, P = softmax(S)
/// (row-wise, causal positions skipped), O = P·V; backward dV = Pᵀ·dO, dS = P ⊙ (dO·Vᵀ − rowdot),
/// dQ = scale·dS·K, dK = scale·dSᵀ·Q. The pairs are split across cores; each GEMM is small and runs
/// on its thread. P is kept for the backward pass.
/// </summary>
internal static unsafe class AttentionKernels
{
    public static void Forward<T>(int n, int h, int lq, int lk, int d, int dv, T scale,
        Strided4<T> q, Strided4<T> k, Strided4<T> v, Strided4<T>? mask, bool causal, T[] p, Strided4<T> o)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Parallelism.For(n * h, 1, (p0, p1) =>
        {
            for (int pair = p0; pair < p1; pair++)
            {
                int bi = pair / h, hi = pair % h;
                int pOff = pair * lq * lk;
                Gemm(false, true, lq, lk, d, scale, q.Data, q.At(bi, hi), q.S2, k.Data, k.At(bi, hi), k.S2, T.Zero, p, pOff, lk);
                for (int i = 0; i < lq; i++)
                {
                    var row = new Span<T>(p, pOff + i * lk, lk);
                    if (mask is Strided4<T> m)
                        System.Numerics.Tensors.TensorPrimitives.Add(row, new ReadOnlySpan<T>(m.Data, m.At(bi, hi) + i * m.S2, lk), row);
                    if (causal && i + 1 < lk) row[(i + 1)..].Fill(T.NegativeInfinity);
                    NormKernels.SoftmaxRow<T>(row, row, false, null);
                }
                Gemm(false, false, lq, dv, lk, T.One, p, pOff, lk, v.Data, v.At(bi, hi), v.S2, T.Zero, o.Data, o.At(bi, hi), o.S2);
            }
        });
    }

    public static void Backward<T>(int n, int h, int lq, int lk, int d, int dv, T scale,
        Strided4<T> q, Strided4<T> k, Strided4<T> v, T[] p, Strided4<T> g,
        Strided4<T>? dq, Strided4<T>? dk, Strided4<T>? dvOut)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Parallelism.For(n * h, 1, (p0, p1) =>
        {
            var ds = new T[lq * lk];
            for (int pair = p0; pair < p1; pair++)
            {
                int bi = pair / h, hi = pair % h;
                int pOff = pair * lq * lk;
                if (dvOut is Strided4<T> dV)
                    Gemm(true, false, lk, dv, lq, T.One, p, pOff, lk, g.Data, g.At(bi, hi), g.S2, T.Zero, dV.Data, dV.At(bi, hi), dV.S2);
                if (dq is null && dk is null) continue;
                Gemm(false, true, lq, lk, dv, T.One, g.Data, g.At(bi, hi), g.S2, v.Data, v.At(bi, hi), v.S2, T.Zero, ds, 0, lk);
                for (int i = 0; i < lq; i++)
                {
                    var row = new Span<T>(ds, i * lk, lk);
                    NormKernels.SoftmaxBackwardRow<T>(new ReadOnlySpan<T>(p, pOff + i * lk, lk), row, row, false, null);
                }
                if (dq is Strided4<T> dQ)
                    Gemm(false, false, lq, d, lk, scale, ds, 0, lk, k.Data, k.At(bi, hi), k.S2, T.Zero, dQ.Data, dQ.At(bi, hi), dQ.S2);
                if (dk is Strided4<T> dK)
                    Gemm(true, false, lk, d, lq, scale, ds, 0, lk, q.Data, q.At(bi, hi), q.S2, T.Zero, dK.Data, dK.At(bi, hi), dK.S2);
            }
        });
    }

    /// <summary>C = alpha·op(A)·op(B) + beta·C on row-major matrices, dispatched to the float or double GEMM.</summary>
    private static void Gemm<T>(bool transA, bool transB, int m, int n, int k, T alpha,
        T[] a, int aOff, int lda, T[] b, int bOff, int ldb, T beta, T[] c, int cOff, int ldc) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            fixed (float* pa = Unsafe.As<float[]>(a), pb = Unsafe.As<float[]>(b), pc = Unsafe.As<float[]>(c))
                Kernels.Gemm.Sgemm(transA, transB, m, n, k, float.CreateTruncating(alpha), pa + aOff, lda, pb + bOff, ldb, float.CreateTruncating(beta), pc + cOff, ldc);
        }
        else
        {
            fixed (double* pa = Unsafe.As<double[]>(a), pb = Unsafe.As<double[]>(b), pc = Unsafe.As<double[]>(c))
                Kernels.Gemm.Dgemm(transA, transB, m, n, k, double.CreateTruncating(alpha), pa + aOff, lda, pb + bOff, ldb, double.CreateTruncating(beta), pc + cOff, ldc);
        }
    }
}
