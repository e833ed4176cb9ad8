using System.Runtime.CompilerServices;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MLNetDeep.Tensors.Kernels;

/// <summary>
/// Unfolds the receptive fields of one sample and group into columns (im2col) and folds columns back with
/// accumulation (col2im, the adjoint). col[(c·KH + i)·KW + j, oh·OW + ow] = x[c, oh·SH − PT + i·DH, ow·SW − PL + j·DW] (0 outside).
/// </summary>
internal static class Im2Col
{
    /// <summary>Fills <paramref name="col"/> ([K, P]) from the Cg channel planes starting at <paramref name="xOff"/>.</summary>
    public static void Unfold<T>(in ConvGeometry q, T[] x, int xOff, T[] col) where T : unmanaged, INumber<T> =>
        UnfoldRows(q, x, xOff, col, 0, q.Cg * q.KH * q.KW);

    /// <summary>Fills rows [<paramref name="r0"/>, <paramref name="r1"/>) of <paramref name="col"/> (row = (c·KH + i)·KW + j), so threads can share one unfold.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void UnfoldRows<T>(in ConvGeometry q, T[] x, int xOff, T[] col, int r0, int r1) where T : unmanaged, INumber<T>
    {
        int P = q.P, H = q.H, W = q.W, OW = q.OW;
        for (int r = r0; r < r1; r++)
        {
            int c = r / (q.KH * q.KW), i = r / q.KW % q.KH, j = r % q.KW;
            int row = r * P;
            int dj = j * q.DW - q.PL;
            var (lo, hi) = ConvGeometry.ValidRange(dj, q.SW, W, OW);
            for (int oh = 0; oh < q.OH; oh++)
            {
                var dst = col.AsSpan(row + oh * OW, OW);
                int ih = oh * q.SH - q.PT + i * q.DH;
                if ((uint)ih >= (uint)H) { dst.Clear(); continue; }
                int src = xOff + (c * H + ih) * W + dj;
                dst[..lo].Clear();
                dst[hi..].Clear();
                if (q.SW == 1) x.AsSpan(src + lo, hi - lo).CopyTo(dst[lo..hi]);
                else if (typeof(T) == typeof(float) && q.SW == 2 && hi > lo)
                {
                    // The row's last readable float bounds the vector loads.
                    int avail = xOff + (c * H + ih) * W + W - (src + 2 * lo);
                    fixed (T* ps = &x[src + 2 * lo], pd = &dst[lo])
                        GatherEven((float*)ps, avail, (float*)pd, hi - lo);
                }
                else for (int ow = lo; ow < hi; ow++) dst[ow] = x[src + ow * q.SW];
            }
        }
    }

    private static readonly Vector512<int> EvenLanes = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);

    /// <summary>
    /// dst[k] = src[2k] for k &lt; <paramref name="count"/>, reading at most <paramref name="available"/> floats from
    /// <paramref name="src"/>: one two-source permute per 16 outputs on AVX-512.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void GatherEven(float* src, int available, float* dst, int count)
    {
        int k = 0;
        if (Avx512F.IsSupported)
        {
            var even = EvenLanes;
            for (; k + 16 <= count && 2 * k + 32 <= available; k += 16)
                Vector512.Store(Avx512F.PermuteVar16x32x2(Vector512.Load(src + 2 * k), even, Vector512.Load(src + 2 * k + 16)), dst + k);
        }
        for (; k < count; k++) dst[k] = src[2 * k];
    }

    /// <summary>Adds the columns of <paramref name="col"/> ([K, P]) back into the planes at <paramref name="dxOff"/> (which must be initialized).</summary>
    public static void Fold<T>(in ConvGeometry q, T[] col, T[] dx, int dxOff) where T : unmanaged, INumber<T>
    {
        int P = q.P, H = q.H, W = q.W, OW = q.OW;
        for (int c = 0; c < q.Cg; c++)
        for (int i = 0; i < q.KH; i++)
        for (int j = 0; j < q.KW; j++)
        {
            int row = ((c * q.KH + i) * q.KW + j) * P;
            int dj = j * q.DW - q.PL;
            var (lo, hi) = ConvGeometry.ValidRange(dj, q.SW, W, OW);
            if (hi <= lo) continue;
            for (int oh = 0; oh < q.OH; oh++)
            {
                int ih = oh * q.SH - q.PT + i * q.DH;
                if ((uint)ih >= (uint)H) continue;
                int dst = dxOff + (c * H + ih) * W + dj;
                int src = row + oh * OW;
                if (q.SW == 1)
                {
                    var d = dx.AsSpan(dst + lo, hi - lo);
                    TensorPrimitives.Add(d, col.AsSpan(src + lo, hi - lo), d);
                }
                else for (int ow = lo; ow < hi; ow++) dx[dst + ow * q.SW] += col[src + ow];
            }
        }
    }
}
