using System.Numerics;
using System.Numerics.Tensors;

namespace MLNetDeep.Tensors.Kernels;

/// <summary>
/// Fused batch-normalization kernels on x viewed as [N, C, S] (S = product of the spatial dims), one
/// channel per task. Statistics accumulate in double; every pass over the data is a SIMD span operation.
/// </summary>
internal static class BatchNormKernels
{
    /// <summary>
    /// Training forward: per-channel mean and biased variance over N·S, y = x·a + b with a = γ/√(var+eps),
    /// b = β − mean·a. Writes <paramref name="mean"/> and <paramref name="invStd"/> (saved for backward) and
    /// the biased variance into <paramref name="var"/>.
    /// </summary>
    public static void TrainForward<T>(int n, int c, int s, T[] x, int xOff, T[]? gamma, T[]? beta, double eps,
        T[] y, double[] mean, double[] invStd, double[] var) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Parallelism.For(c, 1, (c0, c1) =>
        {
            for (int ch = c0; ch < c1; ch++)
            {
                double sum = 0;
                for (int i = 0; i < n; i++) sum += double.CreateTruncating(TensorPrimitives.Sum<T>(x.AsSpan(xOff + (i * c + ch) * s, s)));
                double m = sum / ((double)n * s);
                T mt = T.CreateTruncating(m);
                double sq = 0;
                for (int i = 0; i < n; i++) sq += double.CreateTruncating(SumOfSquaredDeviations<T>(x.AsSpan(xOff + (i * c + ch) * s, s), mt));
                double v = sq / ((double)n * s);
                double inv = 1 / Math.Sqrt(v + eps);
                mean[ch] = m; var[ch] = v; invStd[ch] = inv;
                double a = inv * (gamma != null ? double.CreateTruncating(gamma[ch]) : 1);
                double b = (beta != null ? double.CreateTruncating(beta[ch]) : 0) - m * a;
                Affine(n, c, s, ch, x, xOff, T.CreateTruncating(a), T.CreateTruncating(b), y);
            }
        });
    }

    /// <summary>Inference forward with running statistics: y = x·a + b per channel.</summary>
    public static void EvalForward<T>(int n, int c, int s, T[] x, int xOff, T[] runMean, int rmOff, T[] runVar, int rvOff,
        T[]? gamma, T[]? beta, double eps, T[] y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Parallelism.For(c, Math.Max(1, 16384 / Math.Max(1, n * s)), (c0, c1) =>
        {
            for (int ch = c0; ch < c1; ch++)
            {
                double inv = 1 / Math.Sqrt(double.CreateTruncating(runVar[rvOff + ch]) + eps);
                double a = inv * (gamma != null ? double.CreateTruncating(gamma[ch]) : 1);
                double b = (beta != null ? double.CreateTruncating(beta[ch]) : 0) - double.CreateTruncating(runMean[rmOff + ch]) * a;
                Affine(n, c, s, ch, x, xOff, T.CreateTruncating(a), T.CreateTruncating(b), y);
            }
        });
    }

    private static void Affine<T>(int n, int c, int s, int ch, T[] x, int xOff, T a, T b, T[] y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < n; i++)
        {
            int off = (i * c + ch) * s;
            AxPlusB<T>(x.AsSpan(xOff + off, s), a, b, y.AsSpan(off, s));
        }
    }

    /// <summary>
    /// Backward given per-channel mean and 1/std (batch statistics in training, running ones in eval):
    /// dγ = Σ g·x̂, dβ = Σ g, and dx = γ·invStd·(g − Σg/M − x̂·Σ(g·x̂)/M) in training or γ·invStd·g in eval.
    /// Any of dx, dGamma, dBeta may be null.
    /// </summary>
    public static void Backward<T>(int n, int c, int s, bool training, T[] g, int gOff, T[] x, int xOff, T[]? gamma,
        double[] mean, double[] invStd, T[]? dx, T[]? dGamma, T[]? dBeta) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double count = (double)n * s;
        Parallelism.For(c, 1, (c0, c1) =>
        {
            for (int ch = c0; ch < c1; ch++)
            {
                double sumG = 0, sumGx = 0;
                for (int i = 0; i < n; i++)
                {
                    var gs = g.AsSpan(gOff + (i * c + ch) * s, s);
                    sumG += double.CreateTruncating(TensorPrimitives.Sum<T>(gs));
                    sumGx += double.CreateTruncating(TensorPrimitives.Dot<T>(gs, x.AsSpan(xOff + (i * c + ch) * s, s)));
                }
                double m = mean[ch], inv = invStd[ch];
                double sumGxc = sumGx - m * sumG; // Σ g·(x − mean)
                if (dGamma != null) dGamma[ch] = T.CreateTruncating(sumGxc * inv);
                if (dBeta != null) dBeta[ch] = T.CreateTruncating(sumG);
                if (dx == null) continue;
                double a = inv * (gamma != null ? double.CreateTruncating(gamma[ch]) : 1);
                // dx = a·g + kx·x + k0
                double kx = 0, k0 = 0;
                if (training)
                {
                    double k = inv * inv * sumGxc / count;
                    kx = -a * k;
                    k0 = a * (m * k - sumG / count);
                }
                T at = T.CreateTruncating(a), kxt = T.CreateTruncating(kx), k0t = T.CreateTruncating(k0);
                for (int i = 0; i < n; i++)
                {
                    int off = (i * c + ch) * s;
                    var d = dx.AsSpan(off, s);
                    if (training) TrainInputGrad<T>(g.AsSpan(gOff + off, s), at, x.AsSpan(xOff + off, s), kxt, k0t, d);
                    else TensorPrimitives.Multiply<T>(g.AsSpan(gOff + off, s), at, d);
                }
            }
        });
    }

    /// <summary>Σ (x − m)² in one SIMD pass.</summary>
    private static T SumOfSquaredDeviations<T>(ReadOnlySpan<T> x, T m) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        T total = T.Zero;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<T>.Count)
        {
            var mv = new Vector<T>(m);
            var acc = Vector<T>.Zero;
            for (; i <= x.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var d = new Vector<T>(x[i..]) - mv;
                acc += d * d;
            }
            total = Vector.Sum(acc);
        }
        for (; i < x.Length; i++) { T d = x[i] - m; total += d * d; }
        return total;
    }

    /// <summary>y = x·a + b in one SIMD pass.</summary>
    private static void AxPlusB<T>(ReadOnlySpan<T> x, T a, T b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var av = new Vector<T>(a);
            var bv = new Vector<T>(b);
            for (; i <= x.Length - Vector<T>.Count; i += Vector<T>.Count)
                (new Vector<T>(x[i..]) * av + bv).CopyTo(y[i..]);
        }
        for (; i < x.Length; i++) y[i] = x[i] * a + b;
    }

    /// <summary>dx = g·a + x·kx + k0 in one SIMD pass.</summary>
    private static void TrainInputGrad<T>(ReadOnlySpan<T> g, T a, ReadOnlySpan<T> x, T kx, T k0, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var av = new Vector<T>(a);
            var kv = new Vector<T>(kx);
            var k0v = new Vector<T>(k0);
            for (; i <= x.Length - Vector<T>.Count; i += Vector<T>.Count)
                (new Vector<T>(g[i..]) * av + new Vector<T>(x[i..]) * kv + k0v).CopyTo(dx[i..]);
        }
        for (; i < x.Length; i++) dx[i] = g[i] * a + x[i] * kx + k0;
    }
}
