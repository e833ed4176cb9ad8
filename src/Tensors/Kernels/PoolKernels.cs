using System.Numerics;

namespace MLNetDeep.Tensors.Kernels;

/// <summary>Window of a 2-D pooling: kernel, stride, padding (top, left, bottom, right), dilation, on [planes, H, W] → [planes, OH, OW].</summary>
internal readonly record struct PoolGeometry(
    int Planes, int H, int W, int OH, int OW, int KH, int KW, int SH, int SW, int PT, int PL, int PB, int PR, int DH, int DW);

/// <summary>Max, average and adaptive-average pooling over dense planes (one plane = one channel of one sample), split over planes.</summary>
internal static class PoolKernels
{
    /// <summary>Window maxima; <paramref name="argmax"/> (when given) receives each maximum's index in its plane (first maximum wins, NaN propagates).</summary>
    public static void MaxForward<T>(PoolGeometry q, T[] x, int xOff, T[] y, int[]? argmax) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Parallelism.For(q.Planes, 8, (s, e) =>
        {
            for (int p = s; p < e; p++)
            {
                int xBase = xOff + p * q.H * q.W, yBase = p * q.OH * q.OW;
                for (int oh = 0; oh < q.OH; oh++)
                for (int ow = 0; ow < q.OW; ow++)
                {
                    T best = T.NegativeInfinity;
                    int bestIdx = -1;
                    int h0 = oh * q.SH - q.PT, w0 = ow * q.SW - q.PL;
                    for (int i = 0; i < q.KH; i++)
                    {
                        int ih = h0 + i * q.DH;
                        if ((uint)ih >= (uint)q.H) continue;
                        for (int j = 0; j < q.KW; j++)
                        {
                            int iw = w0 + j * q.DW;
                            if ((uint)iw >= (uint)q.W) continue;
                            T v = x[xBase + ih * q.W + iw];
                            if (v > best || T.IsNaN(v) || bestIdx < 0)
                            {
                                best = v;
                                bestIdx = ih * q.W + iw;
                                if (T.IsNaN(v)) goto done;
                            }
                        }
                    }
                done:
                    y[yBase + oh * q.OW + ow] = best;
                    if (argmax != null) argmax[yBase + oh * q.OW + ow] = bestIdx;
                }
            }
        });
    }

    /// <summary>dx (overwritten): each output gradient goes to its window's maximum.</summary>
    public static void MaxBackward<T>(PoolGeometry q, T[] dy, int dyOff, int[] argmax, T[] dx) where T : unmanaged, INumber<T>
    {
        Parallelism.For(q.Planes, 8, (s, e) =>
        {
            for (int p = s; p < e; p++)
            {
                int xBase = p * q.H * q.W, yBase = p * q.OH * q.OW;
                dx.AsSpan(xBase, q.H * q.W).Clear();
                for (int k = 0; k < q.OH * q.OW; k++)
                {
                    int idx = argmax[yBase + k];
                    if (idx >= 0) dx[xBase + idx] += dy[dyOff + yBase + k];
                }
            }
        });
    }

    /// <summary>The window of output (oh, ow) clipped to the input, and its divisor (PyTorch's avg_pool2d rule).</summary>
    private static (int H0, int H1, int W0, int W1, int Div) AvgWindow(in PoolGeometry q, int oh, int ow, bool countIncludePad)
    {
        int h0 = oh * q.SH - q.PT, w0 = ow * q.SW - q.PL;
        int h1 = Math.Min(h0 + q.KH, q.H + q.PB), w1 = Math.Min(w0 + q.KW, q.W + q.PR);
        int poolSize = (h1 - h0) * (w1 - w0);
        h0 = Math.Max(h0, 0); w0 = Math.Max(w0, 0);
        h1 = Math.Min(h1, q.H); w1 = Math.Min(w1, q.W);
        return (h0, h1, w0, w1, countIncludePad ? poolSize : (h1 - h0) * (w1 - w0));
    }

    public static void AvgForward<T>(PoolGeometry q, bool countIncludePad, T[] x, int xOff, T[] y) where T : unmanaged, INumber<T>
    {
        Parallelism.For(q.Planes, 8, (s, e) =>
        {
            for (int p = s; p < e; p++)
            {
                int xBase = xOff + p * q.H * q.W, yBase = p * q.OH * q.OW;
                for (int oh = 0; oh < q.OH; oh++)
                for (int ow = 0; ow < q.OW; ow++)
                {
                    var (h0, h1, w0, w1, div) = AvgWindow(q, oh, ow, countIncludePad);
                    T acc = T.Zero;
                    for (int ih = h0; ih < h1; ih++)
                    for (int iw = w0; iw < w1; iw++) acc += x[xBase + ih * q.W + iw];
                    y[yBase + oh * q.OW + ow] = div == 0 ? T.Zero : acc / T.CreateTruncating(div);
                }
            }
        });
    }

    public static void AvgBackward<T>(PoolGeometry q, bool countIncludePad, T[] dy, int dyOff, T[] dx) where T : unmanaged, INumber<T>
    {
        Parallelism.For(q.Planes, 8, (s, e) =>
        {
            for (int p = s; p < e; p++)
            {
                int xBase = p * q.H * q.W, yBase = dyOff + p * q.OH * q.OW;
                dx.AsSpan(xBase, q.H * q.W).Clear();
                for (int oh = 0; oh < q.OH; oh++)
                for (int ow = 0; ow < q.OW; ow++)
                {
                    var (h0, h1, w0, w1, div) = AvgWindow(q, oh, ow, countIncludePad);
                    if (div == 0) continue;
                    T gv = dy[yBase + oh * q.OW + ow] / T.CreateTruncating(div);
                    for (int ih = h0; ih < h1; ih++)
                    for (int iw = w0; iw < w1; iw++) dx[xBase + ih * q.W + iw] += gv;
                }
            }
        });
    }

    /// <summary>Adaptive window [⌊o·In/Out⌋, ⌈(o+1)·In/Out⌉).</summary>
    private static (int Start, int End) Adaptive(int o, int input, int output) =>
        ((int)((long)o * input / output), (int)(((long)(o + 1) * input + output - 1) / output));

    public static void AdaptiveAvgForward<T>(int planes, int h, int w, int oh, int ow, T[] x, int xOff, T[] y) where T : unmanaged, INumber<T>
    {
        Parallelism.For(planes, 8, (s, e) =>
        {
            for (int p = s; p < e; p++)
            {
                int xBase = xOff + p * h * w, yBase = p * oh * ow;
                if (oh == 1 && ow == 1)
                {
                    y[yBase] = System.Numerics.Tensors.TensorPrimitives.Sum<T>(x.AsSpan(xBase, h * w)) / T.CreateTruncating(h * w);
                    continue;
                }
                for (int a = 0; a < oh; a++)
                {
                    var (h0, h1) = Adaptive(a, h, oh);
                    for (int b = 0; b < ow; b++)
                    {
                        var (w0, w1) = Adaptive(b, w, ow);
                        T acc = T.Zero;
                        for (int ih = h0; ih < h1; ih++)
                        for (int iw = w0; iw < w1; iw++) acc += x[xBase + ih * w + iw];
                        y[yBase + a * ow + b] = acc / T.CreateTruncating((h1 - h0) * (w1 - w0));
                    }
                }
            }
        });
    }

    public static void AdaptiveAvgBackward<T>(int planes, int h, int w, int oh, int ow, T[] dy, int dyOff, T[] dx) where T : unmanaged, INumber<T>
    {
        Parallelism.For(planes, 8, (s, e) =>
        {
            for (int p = s; p < e; p++)
            {
                int xBase = p * h * w, yBase = dyOff + p * oh * ow;
                if (oh == 1 && ow == 1)
                {
                    dx.AsSpan(xBase, h * w).Fill(dy[yBase] / T.CreateTruncating(h * w));
                    continue;
                }
                dx.AsSpan(xBase, h * w).Clear();
                for (int a = 0; a < oh; a++)
                {
                    var (h0, h1) = Adaptive(a, h, oh);
                    for (int b = 0; b < ow; b++)
                    {
                        var (w0, w1) = Adaptive(b, w, ow);
                        T gv = dy[yBase + a * ow + b] / T.CreateTruncating((h1 - h0) * (w1 - w0));
                        for (int ih = h0; ih < h1; ih++)
                        for (int iw = w0; iw < w1; iw++) dx[xBase + ih * w + iw] += gv;
                    }
                }
            }
        });
    }
}
