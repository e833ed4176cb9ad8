using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MLNetDeep.Tensors.Kernels;

/// <summary>
/// y[i, j] = x[i, :] · w[j, :] (+ bias[j]) for a few rows of x: a fully connected layer at batch 1–4,
/// where a tiled GEMM would fill a 16-column panel with one useful column. Each weight row is read once,
/// straight from its row-major layout, and dotted with every x row; four weight rows share each x load.
/// Rows of w are split over the threads.
/// </summary>
internal static unsafe class GemvF32
{
    /// <summary>The most rows of x this kernel is meant for; above it the packed GEMM is faster.</summary>
    public const int MaxRows = 4;

    /// <summary>y[m, n] = x[m, k] · w[n, k]ᵀ (+ bias[n]); all row-major and contiguous.</summary>
    public static void Forward(float[] x, int xOff, int m, int k, float[] w, int wOff, int n, float[]? bias, int bOff, float[] y, int yOff)
    {
        if (m < 1 || m > MaxRows) throw new ArgumentOutOfRangeException(nameof(m), m, $"GemvF32 takes 1 to {MaxRows} rows.");
        int minChunk = Math.Max(4, (1 << 15) / Math.Max(1, k));
        Parallelism.For(n, minChunk, (s, e) =>
        {
            fixed (float* px = x, pw = w, pb = bias, py = y)
            {
                for (int i = 0; i < m; i++)
                {
                    float* xr = px + xOff + (long)i * k;
                    float* yr = py + yOff + (long)i * n;
                    int j = s;
                    for (; j + 4 <= e; j += 4) Dot4(pw + wOff + (long)j * k, k, xr, yr + j);
                    for (; j < e; j++) yr[j] = Dot1(pw + wOff + (long)j * k, k, xr);
                    if (pb != null) for (j = s; j < e; j++) yr[j] += pb[bOff + j];
                }
            }
        });
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot4(float* w0, int k, float* x, float* y)
    {
        float* w1 = w0 + k, w2 = w1 + k, w3 = w2 + k;
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        int i = 0;
        for (; i + 16 <= k; i += 16)
        {
            var v = Vector512.Load(x + i);
            a0 = Vector512.FusedMultiplyAdd(Vector512.Load(w0 + i), v, a0);
            a1 = Vector512.FusedMultiplyAdd(Vector512.Load(w1 + i), v, a1);
            a2 = Vector512.FusedMultiplyAdd(Vector512.Load(w2 + i), v, a2);
            a3 = Vector512.FusedMultiplyAdd(Vector512.Load(w3 + i), v, a3);
        }
        float s0 = Vector512.Sum(a0), s1 = Vector512.Sum(a1), s2 = Vector512.Sum(a2), s3 = Vector512.Sum(a3);
        for (; i < k; i++)
        {
            float v = x[i];
            s0 += w0[i] * v; s1 += w1[i] * v; s2 += w2[i] * v; s3 += w3[i] * v;
        }
        y[0] = s0; y[1] = s1; y[2] = s2; y[3] = s3;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Dot1(float* w, int k, float* x)
    {
        Vector512<float> a = default;
        int i = 0;
        for (; i + 16 <= k; i += 16) a = Vector512.FusedMultiplyAdd(Vector512.Load(w + i), Vector512.Load(x + i), a);
        float s = Vector512.Sum(a);
        for (; i < k; i++) s += w[i] * x[i];
        return s;
    }
}
