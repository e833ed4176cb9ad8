using System.Buffers;

namespace MLNetDeep.Tensors.Kernels;

/// <summary>
/// Quantized 2-D convolution (groups = 1) on float NCHW input: each sample is quantized once into channel-last
/// bytes, its receptive fields are gathered into rows [OH·OW, K] with K ordered (kh, kw, c) (a 1×1 stride-1 convolution
/// over a multiple of 4 channels uses the quantized sample directly), and one <see cref="Int8Gemm"/> over all samples'
/// rows writes the dequantized NCHW output. Weights must be packed in the same (kh, kw, c) order. A fused 2×2 stride-2
/// max pool gathers the rows window by window (the 4 pixels of a window are 4 consecutive rows, one GEMM tile) so the
/// GEMM epilogue takes the maximum of the int32 sums and dequantizes a quarter of the outputs; an odd last conv row or
/// column, which floor-mode pooling drops, is never computed.
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
        int hw = q.H * q.W, kp = w.PaddedK, pooled = q.OH / 2 * (q.OW / 2), p = maxPool ? 4 * pooled : q.P;
        bool direct = !maxPool && q.IsPointwise && q.C % 4 == 0;
        byte[] nhwc = ArrayPool<byte>.Shared.Rent(q.N * hw * q.C);
        byte[] rows = direct ? nhwc : ArrayPool<byte>.Shared.Rent(q.N * p * kp);
        try
        {
            Parallelism.For(q.N, 1, (s, e) =>
            {
                byte[] planes = ArrayPool<byte>.Shared.Rent(hw);
                for (int n = s; n < e; n++)
                {
                    int baseOut = n * hw * g.C;
                    for (int c = 0; c < g.C; c++)
                    {
                        Int8Quantization.Quantize(x.AsSpan(xOff + (n * g.C + c) * hw, hw), scale, zeroPoint, planes);
                        for (int i = 0; i < hw; i++) nhwc[baseOut + i * g.C + c] = planes[i];
                    }
                    if (!direct) Gather(g, nhwc, baseOut, (byte)zeroPoint, rows, n * p * kp, kp, maxPool);
                }
                ArrayPool<byte>.Shared.Return(planes);
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
    /// Row (oh·OW + ow) = the (kh, kw, c) taps of that output pixel; outside the input the zero point (real 0); K..kp zero.
    /// With <paramref name="windows"/>, rows 4·(ph·PW + pw) + (0, 1, 2, 3) are the pixels (2ph, 2pw), (2ph, 2pw + 1),
    /// (2ph + 1, 2pw), (2ph + 1, 2pw + 1) of pooling window (ph, pw), PW = OW / 2.
    /// </summary>
    private static unsafe void Gather(in ConvGeometry q, byte[] nhwc, int xOff, byte pad, byte[] rows, int rowsOff, int kp, bool windows)
    {
        int c = q.C, k = q.K, pw = q.OW / 2, count = windows ? 4 * (q.OH / 2) * pw : q.P;
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
                    int ih = oh * q.SH - q.PT + i * q.DH;
                    bool rowInside = (uint)ih < (uint)q.H;
                    for (int j = 0; j < q.KW; j++, dst += c)
                    {
                        int iw = ow * q.SW - q.PL + j * q.DW;
                        if (rowInside && (uint)iw < (uint)q.W)
                        {
                            byte* src = src0 + (long)(ih * q.W + iw) * c;
                            if (c == 1) *dst = *src;
                            else Buffer.MemoryCopy(src, dst, c, c);
                        }
                        else if (c == 1) *dst = pad;
                        else new Span<byte>(dst, c).Fill(pad);
                    }
                }
                for (int t = k; t < kp; t++) row[t] = 0;
            }
        }
    }
}
