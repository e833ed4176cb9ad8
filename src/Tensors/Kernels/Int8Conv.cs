using System.Buffers;

namespace MLNetDeep.Tensors.Kernels;

/// <summary>
/// Quantized 2-D convolution (groups = 1) on float NCHW input: each sample is quantized once into channel-last
/// bytes with its zero padding already in place (the zero point, real 0), its receptive fields are gathered into rows
/// [OH·OW, K] with K ordered (kh, kw, c) (a 1×1 stride-1 convolution over a multiple of 4 channels uses the quantized
/// sample directly), and one <see cref="Int8Gemm"/> over all samples' rows writes the dequantized NCHW output. Weights
/// must be packed in the same (kh, kw, c) order. A fused 2×2 stride-2 max pool gathers the rows window by window (the 4
/// pixels of a window are 4 consecutive rows, one GEMM tile) so the GEMM epilogue takes the maximum of the int32 sums
/// and dequantizes a quarter of the outputs; an odd last conv row or column, which floor-mode pooling drops, is never
/// computed.
/// </summary>
internal static class Int8Conv
{
    /// <summary>
    /// y[N, O, OH, OW] from x[N, C, H, W] (float32), activation (scale, zeroPoint), packed weights [O, KH·KW·C]; with
    /// <paramref name="maxPool"/>, y[N, O, OH / 2, OW / 2] (the conv output, ReLU included, max-pooled 2×2 with stride 2).
    /// </summary>
    public static void Forward(in ConvGeometry q, float[] x, int xOff, float scale, int zeroPoint, PackedInt8Weights w, float[] scales, float[]? bias,
        bool relu, float[] y, bool maxPool = false)
    {
        if (q.G != 1) throw new ArgumentException("The int8 convolution supports groups = 1 only.");
        if (w.Rows != q.O || w.Depth != q.K) throw new ArgumentException($"Packed weights are [{w.Rows}, {w.Depth}], the convolution needs [{q.O}, {q.K}].");
        var g = q;
        // The padded sample covers every tap: rows −PT .. (OH−1)·SH − PT + (KH−1)·DH, likewise columns.
        int hp = Math.Max(q.PT + q.H, (q.OH - 1) * q.SH + (q.KH - 1) * q.DH + 1), wp = Math.Max(q.PL + q.W, (q.OW - 1) * q.SW + (q.KW - 1) * q.DW + 1);
        int hw = q.H * q.W, sample = hp * wp * q.C, kp = w.PaddedK, pooled = q.OH / 2 * (q.OW / 2), p = maxPool ? 4 * pooled : q.P;
        bool padded = hp * wp != hw, direct = !maxPool && q.IsPointwise && q.C % 4 == 0;
        byte[] nhwc = ArrayPool<byte>.Shared.Rent(q.N * sample);
        byte[] rows = direct ? nhwc : ArrayPool<byte>.Shared.Rent(q.N * p * kp);
        try
        {
            Parallelism.For(q.N, 1, (s, e) =>
            {
                byte[] plane = ArrayPool<byte>.Shared.Rent(hw);
                for (int n = s; n < e; n++)
                {
                    int baseOut = n * sample;
                    if (padded) nhwc.AsSpan(baseOut, sample).Fill((byte)zeroPoint);
                    for (int c = 0; c < g.C; c++)
                    {
                        Int8Quantization.Quantize(x.AsSpan(xOff + (n * g.C + c) * hw, hw), scale, zeroPoint, plane);
                        for (int ih = 0; ih < g.H; ih++)
                        {
                            int dst = baseOut + ((ih + g.PT) * wp + g.PL) * g.C + c, src = ih * g.W;
                            for (int iw = 0; iw < g.W; iw++) nhwc[dst + iw * g.C] = plane[src + iw];
                        }
                    }
                    if (!direct) Gather(g, wp, nhwc, baseOut, rows, n * p * kp, kp, maxPool);
                }
                ArrayPool<byte>.Shared.Return(plane);
            });
            Int8Gemm.MultiplyDequantize(q.N * p, rows, kp, w, zeroPoint, scales, bias, relu, maxPool ? pooled : p, y, maxPool);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(nhwc);
            if (!direct) ArrayPool<byte>.Shared.Return(rows);
        }
    }

    /// <summary>
    /// Row (oh·OW + ow) = the (kh, kw, c) taps of that output pixel from the padded channel-last sample (row length
    /// <paramref name="wp"/> pixels); K..kp zero. With <paramref name="windows"/>, rows 4·(ph·PW + pw) + (0, 1, 2, 3) are the
    /// pixels (2ph, 2pw), (2ph, 2pw + 1), (2ph + 1, 2pw), (2ph + 1, 2pw + 1) of pooling window (ph, pw), PW = OW / 2.
    /// </summary>
    private static unsafe void Gather(in ConvGeometry q, int wp, byte[] nhwc, int xOff, byte[] rows, int rowsOff, int kp, bool windows)
    {
        int c = q.C, k = q.K, pw = q.OW / 2, count = windows ? 4 * (q.OH / 2) * pw : q.P;
        // With unit dilation along W, the KW taps of one kernel row are KW·C consecutive bytes.
        int run = q.DW == 1 ? q.KW * c : c, runs = q.DW == 1 ? 1 : q.KW;
        fixed (byte* src0 = &nhwc[xOff])
        fixed (byte* dst0 = &rows[rowsOff])
        {
            for (int r = 0; r < count; r++)
            {
                int oh, ow;
                if (windows)
                {
                    int window = r >> 2;
                    (oh, ow) = (2 * (window / pw) + ((r >> 1) & 1), 2 * (window % pw) + (r & 1));
                }
                else (oh, ow) = (r / q.OW, r % q.OW);
                byte* row = dst0 + (long)r * kp;
                byte* dst = row;
                for (int i = 0; i < q.KH; i++)
                {
                    byte* src = src0 + ((long)(oh * q.SH + i * q.DH) * wp + ow * q.SW) * c;
                    for (int j = 0; j < runs; j++, dst += run, src += q.DW * c) Copy(src, dst, run);
                }
                for (int t = k; t < kp; t++) row[t] = 0;
            }
        }
    }

    private static unsafe void Copy(byte* src, byte* dst, int count)
    {
        if (count >= 16) Buffer.MemoryCopy(src, dst, count, count);
        else for (int t = 0; t < count; t++) dst[t] = src[t];
    }
}
