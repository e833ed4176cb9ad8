using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MLNetDeep.Tensors.Kernels;

/// <summary>
/// Float32 inference path of the depthwise forward: the same zero-padded phase planes as
/// <see cref="DepthwiseConv"/>, but each output row is computed in vector registers (all KH·KW taps
/// accumulated with FMA per 16-wide block, one store), without per-plane allocations or delegates.
/// </summary>
internal static unsafe class DepthwiseConvF32
{
    /// <summary>Tests only: route 3×3 convolutions through the padded-plane path instead of <see cref="Depthwise3x3F32"/>.</summary>
    internal static bool ForceGeneric { get; set; }

    /// <summary>y[N, O, OH, OW] = depthwise conv(x, w) (+ bias), clamped to [lo, hi], float32.</summary>
    public static void Forward(in ConvGeometry q, float[] x, int xOff, float[] w, int wOff, float[]? bias, int bOff, float[] y,
        float lo = float.NegativeInfinity, float hi = float.PositiveInfinity)
    {
        if (Depthwise3x3F32.Handles(q) && !ForceGeneric) { Depthwise3x3F32.Forward(q, x, xOff, w, wOff, bias, bOff, y, lo, hi); return; }
        var g = q;
        int hq = q.OH + (q.KH - 1) * q.DH / q.SH, wq = q.OW + (q.KW - 1) * q.DW / q.SW;
        int plane = hq * wq, size = q.SH * q.SW * plane;
        int taps = q.KH * q.KW;
        var tapOff = new int[taps];
        for (int i = 0; i < q.KH; i++)
            for (int j = 0; j < q.KW; j++)
            {
                int di = i * q.DH, dj = j * q.DW;
                tapOff[i * q.KW + j] = ((di % q.SH) * q.SW + dj % q.SW) * plane + di / q.SH * wq + dj / q.SW;
            }
        long work = (long)q.N * q.O * q.P * taps;
        int minChunk = work < 1 << 16 ? q.N * q.O : 1;
        Parallelism.For(q.N * q.O, minChunk, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (s, e) =>
        {
            float[] buf = BufferPool.Rent<float>(size + 32);
            buf.AsSpan(0, size + 32).Clear(); // padding cells stay zero: every plane rewrites the same interior cells
            // Narrow outputs are computed as one run over the Wq-wide layout (fewer, fuller vectors), then compacted.
            float[]? runBuf = g.OW < 16 ? new float[plane + 16] : null;
            fixed (float* pb = buf, px = x, pw = w, py = y, pbias = bias, prun = runBuf)
            fixed (int* pt = tapOff)
            {
                Vector512<float>* wv = stackalloc Vector512<float>[taps];
                var clamp = new VectorClamp(lo, hi);
                float* tmp = stackalloc float[16];
                int loaded = -1;
                for (int pl = s; pl < e; pl++)
                {
                    int n = pl / g.O, o = pl % g.O, src = n * g.C + o / g.Og;
                    if (src != loaded) { Scatter(g, wq, hq, plane, px + xOff + (long)src * g.H * g.W, pb); loaded = src; }
                    float* wo = pw + wOff + (long)o * taps;
                    for (int t = 0; t < taps; t++) wv[t] = Vector512.Create(wo[t]);
                    var b0 = Vector512.Create(pbias != null ? pbias[bOff + o] : 0f);
                    float* yp = py + (long)pl * g.P;
                    if (prun != null)
                    {
                        int run = (g.OH - 1) * wq + g.OW;
                        for (int i = 0; i < run; i += 16) Vector512.Store(clamp.Of(Row(pb + i, pt, wv, taps, b0)), prun + i);
                        for (int oh = 0; oh < g.OH; oh++)
                            Buffer.MemoryCopy(prun + oh * wq, yp + oh * g.OW, g.OW * 4L, g.OW * 4L);
                        continue;
                    }
                    if (taps == 9) { Plane9(g, pb, wq, pt, wv, b0, clamp, yp, tmp); continue; }
                    for (int oh = 0; oh < g.OH; oh++)
                    {
                        float* row = pb + oh * wq;
                        float* yr = yp + oh * g.OW;
                        int ow = 0;
                        for (; ow + 16 <= g.OW; ow += 16) Vector512.Store(clamp.Of(Row(row + ow, pt, wv, taps, b0)), yr + ow);
                        // A full-width store spilling into the next rows of this plane is fine: those are written later.
                        if (ow < g.OW && oh * g.OW + ow + 16 <= g.P) Vector512.Store(clamp.Of(Row(row + ow, pt, wv, taps, b0)), yr + ow);
                        else if (ow < g.OW)
                        {
                            Vector512.Store(clamp.Of(Row(row + ow, pt, wv, taps, b0)), tmp);
                            for (int k = 0; ow + k < g.OW; k++) yr[ow + k] = tmp[k];
                        }
                    }
                }
            }
            BufferPool.Return(buf);
        });
    }

    /// <summary>One output plane of a 3×3 (nine-tap) kernel, taps and weights held in registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Plane9(in ConvGeometry g, float* pb, int wq, int* pt, Vector512<float>* wv, Vector512<float> b0, VectorClamp clamp, float* yp, float* tmp)
    {
        int t0 = pt[0], t1 = pt[1], t2 = pt[2], t3 = pt[3], t4 = pt[4], t5 = pt[5], t6 = pt[6], t7 = pt[7], t8 = pt[8];
        Vector512<float> w0 = wv[0], w1 = wv[1], w2 = wv[2], w3 = wv[3], w4 = wv[4], w5 = wv[5], w6 = wv[6], w7 = wv[7], w8 = wv[8];
        int ow1 = g.OW, plane = g.P;
        for (int oh = 0; oh < g.OH; oh++)
        {
            float* row = pb + oh * wq;
            float* yr = yp + oh * ow1;
            int ow = 0;
            for (; ow + 16 <= ow1; ow += 16)
            {
                float* at = row + ow;
                // Same order as Row: bias, then taps 0..8 (the results equal the generic path bit for bit).
                var a = Vector512.FusedMultiplyAdd(Vector512.Load(at + t0), w0, b0);
                a = Vector512.FusedMultiplyAdd(Vector512.Load(at + t1), w1, a);
                a = Vector512.FusedMultiplyAdd(Vector512.Load(at + t2), w2, a);
                a = Vector512.FusedMultiplyAdd(Vector512.Load(at + t3), w3, a);
                a = Vector512.FusedMultiplyAdd(Vector512.Load(at + t4), w4, a);
                a = Vector512.FusedMultiplyAdd(Vector512.Load(at + t5), w5, a);
                a = Vector512.FusedMultiplyAdd(Vector512.Load(at + t6), w6, a);
                a = Vector512.FusedMultiplyAdd(Vector512.Load(at + t7), w7, a);
                a = Vector512.FusedMultiplyAdd(Vector512.Load(at + t8), w8, a);
                Vector512.Store(clamp.Of(a), yr + ow);
            }
            if (ow < ow1)
            {
                var v = clamp.Of(Row(row + ow, pt, wv, 9, b0));
                // A full-width store spilling into the next rows of this plane is fine: those are written later.
                if (oh * ow1 + ow + 16 <= plane) Vector512.Store(v, yr + ow);
                else
                {
                    Vector512.Store(v, tmp);
                    for (int k = 0; ow + k < ow1; k++) yr[ow + k] = tmp[k];
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Row(float* at, int* tapOff, Vector512<float>* wv, int taps, Vector512<float> acc)
    {
        for (int t = 0; t < taps; t++) acc = Vector512.FusedMultiplyAdd(Vector512.Load(at + tapOff[t]), wv[t], acc);
        return acc;
    }

    /// <summary>Copies one H×W input plane into the interior of SH·SW zero-padded phase planes (hq × wq each).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Scatter(in ConvGeometry q, int wq, int hq, int plane, float* x, float* buf)
    {
        // Per column phase b: first input column, first phase column and count (the same for every row).
        int sw = q.SW;
        int* w0 = stackalloc int[sw], c0 = stackalloc int[sw], count = stackalloc int[sw];
        for (int b = 0; b < sw; b++)
        {
            w0[b] = ((b - q.PL) % sw + sw) % sw;
            c0[b] = (w0[b] + q.PL) / sw;
            count[b] = w0[b] >= q.W || c0[b] >= wq ? 0 : Math.Min((q.W - w0[b] + sw - 1) / sw, wq - c0[b]);
        }
        int r = q.PT / q.SH, a = q.PT % q.SH;
        for (int h = 0; h < q.H; h++)
        {
            if (r >= hq) break;
            float* xr = x + h * q.W;
            for (int b = 0; b < sw; b++)
            {
                int n = count[b];
                if (n == 0) continue;
                float* d = buf + (a * sw + b) * plane + r * wq + c0[b];
                if (sw == 1) Buffer.MemoryCopy(xr + w0[b], d, n * 4L, n * 4L);
                else if (sw == 2) Im2Col.GatherEven(xr + w0[b], q.W - w0[b], d, n);
                else for (int k = 0; k < n; k++) d[k] = xr[w0[b] + k * sw];
            }
            if (++a == q.SH) { a = 0; r++; }
        }
    }
}
