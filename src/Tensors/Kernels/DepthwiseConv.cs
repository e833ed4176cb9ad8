using System.Numerics;
using System.Numerics.Tensors;

namespace MLNetDeep.Tensors.Kernels;

/// <summary>
/// Direct kernels for depthwise convolutions (one input channel per group; output channel o reads input
/// channel o / Og). Each kernel tap is a SIMD multiply-add (or dot product) over a run of output columns.
/// With stride 1 the run reads the input row directly; with stride S the input row is first split into S
/// phases (columns r, r+S, r+2S, … stored contiguously), so tap offset d = S·q + r reads phase r from q on.
/// Work is split over planes (forward, input gradient) or channels (weight gradient): no shared writes.
/// </summary>
internal static class DepthwiseConv
{
    /// <summary>Length of one phase of a row of <paramref name="width"/> split by <paramref name="stride"/>.</summary>
    private static int PhaseLength(int width, int stride) => (width + stride - 1) / stride;

    /// <summary>Phase index r (0 ≤ r &lt; S) and shift q of tap offset d = S·q + r.</summary>
    private static (int R, int Q) Split(int d, int stride)
    {
        int r = ((d % stride) + stride) % stride;
        return (r, (d - r) / stride);
    }

    /// <summary>Copies row x[off .. off+width) into its S phases.</summary>
    private static void Deinterleave<T>(T[] x, int off, int width, int stride, T[] ph, int len)
    {
        for (int r = 0; r < stride; r++)
        {
            int dst = r * len;
            for (int k = 0, col = r; col < width; k++, col += stride) ph[dst + k] = x[off + col];
        }
    }

    /// <summary>The input run of output columns [lo, hi) for tap offset d: the row itself (stride 1) or a phase.</summary>
    private static ReadOnlySpan<T> Run<T>(T[] x, int rowOff, T[] ph, int len, int d, int stride, int lo, int hi)
    {
        if (stride == 1) return x.AsSpan(rowOff + d + lo, hi - lo);
        var (r, q) = Split(d, stride);
        return ph.AsSpan(r * len + q + lo, hi - lo);
    }

    public static void Forward<T>(in ConvGeometry q, T[] x, int xOff, T[] w, int wOff, T[]? bias, int bOff, T[] y)
        where T : unmanaged, INumber<T>
    {
        var g = q;
        int len = PhaseLength(q.W, q.SW);
        Parallelism.For(q.N * q.O, 4, (s, e) =>
        {
            var ph = g.SW == 1 ? [] : new T[g.SW * len];
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
                    if (g.SW != 1) Deinterleave(x, xRow, g.W, g.SW, ph, len);
                    for (int j = 0; j < g.KW; j++)
                    {
                        int dj = j * g.DW - g.PL;
                        var (lo, hi) = ConvGeometry.ValidRange(dj, g.SW, g.W, g.OW);
                        if (hi <= lo) continue;
                        var dst = y.AsSpan(yRow + lo, hi - lo);
                        TensorPrimitives.MultiplyAdd<T>(Run(x, xRow, ph, len, dj, g.SW, lo, hi), w[wBase + i * g.KW + j], dst, dst);
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
        int len = PhaseLength(q.W, q.SW);
        Parallelism.For(q.N * q.C, 4, (s, e) =>
        {
            var ph = g.SW == 1 ? [] : new T[g.SW * len];
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
                        if (g.SW != 1) Array.Clear(ph);
                        for (int j = 0; j < g.KW; j++)
                        {
                            int dj = j * g.DW - g.PL;
                            var (lo, hi) = ConvGeometry.ValidRange(dj, g.SW, g.W, g.OW);
                            if (hi <= lo) continue;
                            Span<T> dst;
                            if (g.SW == 1) dst = dx.AsSpan(xRow + dj + lo, hi - lo);
                            else
                            {
                                var (r, qq) = Split(dj, g.SW);
                                dst = ph.AsSpan(r * len + qq + lo, hi - lo);
                            }
                            TensorPrimitives.MultiplyAdd<T>(dy.AsSpan(yRow + lo, hi - lo), w[wBase + i * g.KW + j], dst, dst);
                        }
                        if (g.SW != 1)
                            for (int r = 0; r < g.SW; r++)
                                for (int k = 0, col = r; col < g.W; k++, col += g.SW) dx[xRow + col] += ph[r * len + k];
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
        int len = PhaseLength(q.W, q.SW);
        Parallelism.For(q.O, 1, (s, e) =>
        {
            var ph = g.SW == 1 ? [] : new T[g.SW * len];
            var acc = new T[g.KH * g.KW];
            for (int o = s; o < e; o++)
            {
                int ci = o / g.Og;
                Array.Clear(acc);
                for (int n = 0; n < g.N; n++)
                {
                    int yBase = dyOff + (n * g.O + o) * g.P, xBase = xOff + (n * g.C + ci) * g.H * g.W;
                    for (int i = 0; i < g.KH; i++)
                    for (int oh = 0; oh < g.OH; oh++)
                    {
                        int ih = oh * g.SH - g.PT + i * g.DH;
                        if ((uint)ih >= (uint)g.H) continue;
                        int xRow = xBase + ih * g.W, yRow = yBase + oh * g.OW;
                        if (g.SW != 1) Deinterleave(x, xRow, g.W, g.SW, ph, len);
                        for (int j = 0; j < g.KW; j++)
                        {
                            int dj = j * g.DW - g.PL;
                            var (lo, hi) = ConvGeometry.ValidRange(dj, g.SW, g.W, g.OW);
                            if (hi <= lo) continue;
                            acc[i * g.KW + j] += TensorPrimitives.Dot<T>(dy.AsSpan(yRow + lo, hi - lo), Run(x, xRow, ph, len, dj, g.SW, lo, hi));
                        }
                    }
                }
                acc.AsSpan().CopyTo(dw.AsSpan(o * g.KH * g.KW, g.KH * g.KW));
            }
        });
    }
}
