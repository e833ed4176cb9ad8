namespace MLNetDeep.Tensors.Kernels;

/// <summary>
/// Shape of one 2-D convolution (NCHW): input [N, C, H, W], weight [O, C/G, KH, KW], output [N, O, OH, OW].
/// Padding may be asymmetric (top/left/bottom/right, as in ONNX); only top and left move the window,
/// bottom and right only enlarge the output.
/// </summary>
internal readonly record struct ConvGeometry(
    int N, int C, int H, int W, int O, int OH, int OW,
    int KH, int KW, int SH, int SW, int PT, int PL, int DH, int DW, int G)
{
    /// <summary>Input channels per group.</summary>
    public int Cg => C / G;

    /// <summary>Output channels per group.</summary>
    public int Og => O / G;

    /// <summary>Rows of the im2col matrix (the GEMM's inner dimension): Cg·KH·KW.</summary>
    public int K => Cg * KH * KW;

    /// <summary>Output pixels per plane.</summary>
    public int P => OH * OW;

    /// <summary>True when the convolution is a plain matrix product per sample (1×1, stride 1, no padding).</summary>
    public bool IsPointwise => KH == 1 && KW == 1 && SH == 1 && SW == 1 && PT == 0 && PL == 0 && OH == H && OW == W;

    /// <summary>True for depthwise convolutions (one input channel per group, several groups): the direct kernel.</summary>
    public bool IsDepthwise => Cg == 1 && G > 1;

    /// <summary>Output size of a convolution/pooling window along one axis (floor, or ceil as in PyTorch's ceil_mode).</summary>
    public static int OutputSize(int input, int kernel, int stride, int padBegin, int padEnd, int dilation, bool ceilMode = false)
    {
        int span = input + padBegin + padEnd - dilation * (kernel - 1) - 1;
        if (span < 0) return 0;
        int o = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
        // PyTorch: the last window must start inside the input or the leading padding.
        if (ceilMode && (o - 1) * stride >= input + padBegin) o--;
        return o;
    }

    /// <summary>First and one-past-last output column whose tap at offset <paramref name="d"/> (= j·dilation − padLeft) lands inside [0, width).</summary>
    public static (int Lo, int Hi) ValidRange(int d, int stride, int width, int outWidth)
    {
        int lo = d >= 0 ? 0 : (-d + stride - 1) / stride;
        int hi = d > width - 1 ? 0 : Math.Min(outWidth, (width - 1 - d) / stride + 1);
        lo = Math.Min(lo, outWidth);
        return (lo, Math.Max(lo, hi));
    }
}
