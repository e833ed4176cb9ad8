using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MLNetDeep.Tensors.Kernels;

/// <summary>
/// Direct kernels for depthwise convolutions (one input channel per group; output channel o reads input
/// channel o / Og). Each input plane is copied, zero-padded, into SH·SW phase planes (phase (a, b) holds the
/// padded pixels whose row ≡ a mod SH and column ≡ b mod SW), each Hq × Wq. Output pixel (oh, ow) of tap (i, j)
/// then reads phase ((i·DH) mod SH, (j·DW) mod SW) at (oh + ⌊i·DH/SH⌋, ow + ⌊j·DW/SW⌋), so with the output laid
/// out Wq wide, every tap is ONE SIMD multiply-add (or dot product) over the whole plane; the columns past OW
/// are scratch and dropped. Work is split over planes (forward, input gradient) or channels (weight gradient).
/// </summary>
internal static class DepthwiseConv
{
    /// <summary>Phase-plane layout of one convolution.</summary>
    private readonly record struct Phases(int Hq, int Wq, int SH, int SW)
    {
        public int Plane => Hq * Wq;
        public int Size => SH * SW * Hq * Wq;

        public static Phases Of(in ConvGeometry q) =>
            new(q.OH + (q.KH - 1) * q.DH / q.SH, q.OW + (q.KW - 1) * q.DW / q.SW, q.SH, q.SW);

        /// <summary>Start of tap (i, j) in the phase buffer.</summary>
        public int Tap(in ConvGeometry q, int i, int j)
        {
            int di = i * q.DH, dj = j * q.DW;
            return ((di % SH) * SW + dj % SW) * Plane + di / SH * Wq + dj / SW;
        }
    }

    /// <summary>Copies input plane x[off..] (H × W) into zero-padded phases.</summary>
    private static void Scatter<T>(in ConvGeometry q, Phases p, T[] x, int off, T[] buf) where T : unmanaged, INumber<T>
    {
        Array.Clear(buf, 0, p.Size);
        Walk(q, p, (row, w0, step, phaseStart, count) =>
        {
            if (step == 1) x.AsSpan(off + row + w0, count).CopyTo(buf.AsSpan(phaseStart, count));
            else Strided(x.AsSpan(off + row + w0, (count - 1) * step + 1), step, buf.AsSpan(phaseStart, count));
        });
    }

    /// <summary>Copies the phases back into plane dx[off..] (H × W); pixels never read get 0.</summary>
    private static void Gather<T>(in ConvGeometry q, Phases p, T[] buf, T[] dx, int off) where T : unmanaged, INumber<T>
    {
        Array.Clear(dx, off, q.H * q.W);
        Walk(q, p, (row, w0, step, phaseStart, count) =>
        {
            if (step == 1) buf.AsSpan(phaseStart, count).CopyTo(dx.AsSpan(off + row + w0, count));
            else Unstrided(buf.AsSpan(phaseStart, count), dx.AsSpan(off + row + w0, (count - 1) * step + 1), step);
        });
    }

    /// <summary>dst[k] = src[k·step] for every k of dst (src holds (dst.Length − 1)·step + 1 values).</summary>
    private static void Strided<T>(ReadOnlySpan<T> src, int step, Span<T> dst)
    {
        ref T s = ref MemoryMarshal.GetReference(src);
        ref T d = ref MemoryMarshal.GetReference(dst);
        for (int k = 0; k < dst.Length; k++) Unsafe.Add(ref d, k) = Unsafe.Add(ref s, k * step);
    }

    /// <summary>dst[k·step] = src[k] for every k of src (dst holds (src.Length − 1)·step + 1 values).</summary>
    private static void Unstrided<T>(ReadOnlySpan<T> src, Span<T> dst, int step)
    {
        ref T s = ref MemoryMarshal.GetReference(src);
        ref T d = ref MemoryMarshal.GetReference(dst);
        for (int k = 0; k < src.Length; k++) Unsafe.Add(ref d, k * step) = Unsafe.Add(ref s, k);
    }

    private delegate void RunVisitor(int rowOffset, int firstColumn, int step, int phaseStart, int count);

    /// <summary>
    /// Visits, for each input row and column phase, the run of input columns w0, w0+SW, … that lands in the
    /// phases (row offset h·W, first column, step SW, start in the phase buffer, count).
    /// </summary>
    private static void Walk(in ConvGeometry q, Phases p, RunVisitor visit)
    {
        for (int h = 0; h < q.H; h++)
        {
            int ph = h + q.PT, r = ph / p.SH;
            if (r >= p.Hq) break;
            int a = ph % p.SH;
            for (int b = 0; b < p.SW; b++)
            {
                int w0 = ((b - q.PL) % p.SW + p.SW) % p.SW; // first column with (w + PL) ≡ b
                if (w0 >= q.W) continue;
                int c0 = (w0 + q.PL) / p.SW;
                if (c0 >= p.Wq) continue;
                int count = Math.Min((q.W - w0 + p.SW - 1) / p.SW, p.Wq - c0);
                visit(h * q.W, w0, p.SW, ((a * p.SW + b) * p.Plane) + r * p.Wq + c0, count);
            }
        }
    }

    /// <summary>Run length covering every valid output of a plane laid out Wq wide.</summary>
    private static int RunLength(in ConvGeometry q, Phases p) => (q.OH - 1) * p.Wq + q.OW;

    public static void Forward<T>(in ConvGeometry q, T[] x, int xOff, T[] w, int wOff, T[]? bias, int bOff, T[] y)
        where T : unmanaged, INumber<T>
    {
        var g = q;
        var p = Phases.Of(q);
        int len = RunLength(q, p);
        Parallelism.For(q.N * q.O, 2, (s, e) =>
        {
            var buf = new T[p.Size];
            var acc = new T[g.OH * p.Wq];
            int loaded = -1;
            for (int plane = s; plane < e; plane++)
            {
                int n = plane / g.O, o = plane % g.O, ci = o / g.Og;
                int src = n * g.C + ci;
                if (src != loaded) { Scatter(g, p, x, xOff + src * g.H * g.W, buf); loaded = src; }
                acc.AsSpan().Fill(bias != null ? bias[bOff + o] : T.Zero);
                var run = acc.AsSpan(0, len);
                int wBase = wOff + o * g.KH * g.KW;
                for (int i = 0; i < g.KH; i++)
                for (int j = 0; j < g.KW; j++)
                    TensorPrimitives.MultiplyAdd<T>(buf.AsSpan(p.Tap(g, i, j), len), w[wBase + i * g.KW + j], run, run);
                int yBase = plane * g.P;
                for (int oh = 0; oh < g.OH; oh++) acc.AsSpan(oh * p.Wq, g.OW).CopyTo(y.AsSpan(yBase + oh * g.OW, g.OW));
            }
        });
    }

    /// <summary>dy of one output plane laid out Wq wide, zero past OW.</summary>
    private static void Widen<T>(in ConvGeometry q, Phases p, T[] dy, int off, T[] dst) where T : unmanaged, INumber<T>
    {
        for (int oh = 0; oh < q.OH; oh++)
        {
            dy.AsSpan(off + oh * q.OW, q.OW).CopyTo(dst.AsSpan(oh * p.Wq));
            dst.AsSpan(oh * p.Wq + q.OW, p.Wq - q.OW).Clear();
        }
    }

    /// <summary>dx (overwritten) from dy: each tap adds w·dy into the phases it read, which are then gathered back.</summary>
    public static void BackwardData<T>(in ConvGeometry q, T[] dy, int dyOff, T[] w, int wOff, T[] dx)
        where T : unmanaged, INumber<T>
    {
        var g = q;
        var p = Phases.Of(q);
        int len = RunLength(q, p);
        Parallelism.For(q.N * q.C, 2, (s, e) =>
        {
            var buf = new T[p.Size];
            var wide = new T[g.OH * p.Wq];
            for (int plane = s; plane < e; plane++)
            {
                int n = plane / g.C, ci = plane % g.C;
                Array.Clear(buf);
                for (int o = ci * g.Og; o < (ci + 1) * g.Og; o++)
                {
                    Widen(g, p, dy, dyOff + (n * g.O + o) * g.P, wide);
                    var run = wide.AsSpan(0, len);
                    int wBase = wOff + o * g.KH * g.KW;
                    for (int i = 0; i < g.KH; i++)
                    for (int j = 0; j < g.KW; j++)
                    {
                        var dst = buf.AsSpan(p.Tap(g, i, j), len);
                        TensorPrimitives.MultiplyAdd<T>(run, w[wBase + i * g.KW + j], dst, dst);
                    }
                }
                Gather(g, p, buf, dx, plane * g.H * g.W);
            }
        });
    }

    /// <summary>dw[O, 1, KH, KW] (overwritten): per tap, a dot product of the widened dy with the phases it read.</summary>
    public static void BackwardWeight<T>(in ConvGeometry q, T[] dy, int dyOff, T[] x, int xOff, T[] dw)
        where T : unmanaged, INumber<T>
    {
        var g = q;
        var p = Phases.Of(q);
        int len = RunLength(q, p);
        Parallelism.For(q.O, 1, (s, e) =>
        {
            var buf = new T[p.Size];
            var wide = new T[g.OH * p.Wq];
            var acc = new T[g.KH * g.KW];
            for (int o = s; o < e; o++)
            {
                int ci = o / g.Og;
                Array.Clear(acc);
                for (int n = 0; n < g.N; n++)
                {
                    Scatter(g, p, x, xOff + (n * g.C + ci) * g.H * g.W, buf);
                    Widen(g, p, dy, dyOff + (n * g.O + o) * g.P, wide);
                    var run = wide.AsSpan(0, len);
                    for (int i = 0; i < g.KH; i++)
                    for (int j = 0; j < g.KW; j++)
                        acc[i * g.KW + j] += TensorPrimitives.Dot<T>(run, buf.AsSpan(p.Tap(g, i, j), len));
                }
                acc.AsSpan().CopyTo(dw.AsSpan(o * g.KH * g.KW, g.KH * g.KW));
            }
        });
    }
}
