using System.Numerics;
using System.Numerics.Tensors;

namespace MLNetDeep.Tensors.Kernels;

/// <summary>
/// Direct kernels for depthwise convolutions (one input channel per group; output channel o reads input
/// channel o / Og). Each kernel tap is a SIMD multiply-add over a run of output columns (stride 1) or a
/// scalar loop (other strides). Work is split over planes, so no two threads write the same element.
/// </summary>
internal static class DepthwiseConv
{
    public static void Forward<T>(in ConvGeometry q, T[] x, int xOff, T[] w, int wOff, T[]? bias, int bOff, T[] y)
        where T : unmanaged, INumber<T>
    {
        var g = q;
        Parallelism.For(q.N * q.O, 4, (s, e) =>
        {
            for (int plane = s; plane < e; plane++)
            {
                int n = plane / g.O, o = plane % g.O, ci = o / g.Og;
                int yBase = plane * g.P, xBase = xOff + (n * g.C + ci) * g.H * g.W, wBase = wOff + o * g.KH * g.KW;
                y.AsSpan(yBase, g.P).Fill(bias != null ? bias[bOff + o] : T.Zero);
                for (int i = 0; i < g.KH; i++)
                for (int oh = 0; oh < g.OH; oh++)
                {
                    int ih = oh * g.SH - g.PT + i * g.DH;
                    if ((uint)ih >= (uint)g.H) continue;
                    int xRow = xBase + ih * g.W, yRow = yBase + oh * g.OW;
                    for (int j = 0; j < g.KW; j++)
                    {
                        T wv = w[wBase + i * g.KW + j];
                        int dj = j * g.DW - g.PL;
                        var (lo, hi) = ConvGeometry.ValidRange(dj, g.SW, g.W, g.OW);
                        if (hi <= lo) continue;
                        if (g.SW == 1)
                        {
                            var dst = y.AsSpan(yRow + lo, hi - lo);
                            TensorPrimitives.MultiplyAdd<T>(x.AsSpan(xRow + dj + lo, hi - lo), wv, dst, dst);
                        }
                        else
                            for (int ow = lo; ow < hi; ow++) y[yRow + ow] += wv * x[xRow + ow * g.SW + dj];
                    }
                }
            }
        });
    }

    /// <summary>dx (overwritten) from dy: each tap scatters wv·dy back to the input pixels it read.</summary>
    public static void BackwardData<T>(in ConvGeometry q, T[] dy, int dyOff, T[] w, int wOff, T[] dx)
        where T : unmanaged, INumber<T>
    {
        var g = q;
        Parallelism.For(q.N * q.C, 4, (s, e) =>
        {
            for (int plane = s; plane < e; plane++)
            {
                int n = plane / g.C, ci = plane % g.C;
                int xBase = plane * g.H * g.W;
                dx.AsSpan(xBase, g.H * g.W).Clear();
                for (int o = ci * g.Og; o < (ci + 1) * g.Og; o++)
                {
                    int yBase = dyOff + (n * g.O + o) * g.P, wBase = wOff + o * g.KH * g.KW;
                    for (int i = 0; i < g.KH; i++)
                    for (int oh = 0; oh < g.OH; oh++)
                    {
                        int ih = oh * g.SH - g.PT + i * g.DH;
                        if ((uint)ih >= (uint)g.H) continue;
                        int xRow = xBase + ih * g.W, yRow = yBase + oh * g.OW;
                        for (int j = 0; j < g.KW; j++)
                        {
                            T wv = w[wBase + i * g.KW + j];
                            int dj = j * g.DW - g.PL;
                            var (lo, hi) = ConvGeometry.ValidRange(dj, g.SW, g.W, g.OW);
                            if (hi <= lo) continue;
                            if (g.SW == 1)
                            {
                                var dst = dx.AsSpan(xRow + dj + lo, hi - lo);
                                TensorPrimitives.MultiplyAdd<T>(dy.AsSpan(yRow + lo, hi - lo), wv, dst, dst);
                            }
                            else
                                for (int ow = lo; ow < hi; ow++) dx[xRow + ow * g.SW + dj] += wv * dy[yRow + ow];
                        }
                    }
                }
            }
        });
    }

    /// <summary>dw[O, 1, KH, KW] (overwritten) = Σₙ Σ_(oh,ow) dy · the input pixel each tap read.</summary>
    public static void BackwardWeight<T>(in ConvGeometry q, T[] dy, int dyOff, T[] x, int xOff, T[] dw)
        where T : unmanaged, INumber<T>
    {
        var g = q;
        Parallelism.For(q.O, 1, (s, e) =>
        {
            for (int o = s; o < e; o++)
            {
                int ci = o / g.Og;
                for (int i = 0; i < g.KH; i++)
                for (int j = 0; j < g.KW; j++)
                {
                    int dj = j * g.DW - g.PL;
                    var (lo, hi) = ConvGeometry.ValidRange(dj, g.SW, g.W, g.OW);
                    T acc = T.Zero;
                    if (hi > lo)
                        for (int n = 0; n < g.N; n++)
                        {
                            int yBase = dyOff + (n * g.O + o) * g.P, xBase = xOff + (n * g.C + ci) * g.H * g.W;
                            for (int oh = 0; oh < g.OH; oh++)
                            {
                                int ih = oh * g.SH - g.PT + i * g.DH;
                                if ((uint)ih >= (uint)g.H) continue;
                                int xRow = xBase + ih * g.W + dj, yRow = yBase + oh * g.OW;
                                if (g.SW == 1) acc += TensorPrimitives.Dot<T>(dy.AsSpan(yRow + lo, hi - lo), x.AsSpan(xRow + lo, hi - lo));
                                else for (int ow = lo; ow < hi; ow++) acc += dy[yRow + ow] * x[xRow + ow * g.SW];
                            }
                        }
                    dw[(o * g.KH + i) * g.KW + j] = acc;
                }
            }
        });
    }
}
