using MLNetDeep.Tensors.Autograd;
using MLNetDeep.Tensors.Kernels;

namespace MLNetDeep.Tensors;

/// <summary>2-D pooling primitives (max, average, adaptive average) over NCHW inputs.</summary>
public static partial class F
{
    /// <summary>Max pooling (PyTorch's <c>max_pool2d</c>); <paramref name="stride"/> defaults to the kernel size.</summary>
    public static Tensor MaxPool2d(Tensor input, int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false) =>
        MaxPool2d(input, [kernelSize], [stride ?? kernelSize], [padding], [dilation], ceilMode);

    /// <summary>
    /// Max pooling with per-axis settings; <paramref name="padding"/> takes 1, 2 or 4 values [top, left, bottom, right]
    /// (padding counts as −∞). <paramref name="stride"/> null or empty means the kernel size.
    /// </summary>
    /// <exception cref="ArgumentException">Bad shapes or settings (names the argument), e.g. a kernel larger than the padded input
    /// or padding over half the kernel.</exception>
    public static Tensor MaxPool2d(Tensor input, int[] kernelSize, int[]? stride, int[] padding, int[] dilation, bool ceilMode = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Batched(input, "MaxPool2d", x =>
        {
            x.RequireFloat("MaxPool2d");
            var q = PoolSetup(x, kernelSize, stride, padding, dilation, ceilMode, "MaxPool2d");
            var xc = x.Detach().Contiguous();
            var y = Tensor.Uninitialized([x.Dims[0], x.Dims[1], q.OH, q.OW], x.DType);
            bool record = GradMode.IsEnabled && x.RequiresGrad;
            int[]? argmax = record ? new int[y.Numel] : null;
            if (x.DType == DType.Float32) PoolKernels.MaxForward(q, xc.Arr<float>(), xc.Offset, y.Arr<float>(), argmax);
            else PoolKernels.MaxForward(q, xc.Arr<double>(), xc.Offset, y.Arr<double>(), argmax);
            if (!record) return y;
            return Tensor.Record(y, "MaxPool2d", [x], g =>
            {
                var gy = g.Contiguous();
                var dx = Tensor.Uninitialized(x.Dims, x.DType);
                if (x.DType == DType.Float32) PoolKernels.MaxBackward(q, gy.Arr<float>(), gy.Offset, argmax!, dx.Arr<float>());
                else PoolKernels.MaxBackward(q, gy.Arr<double>(), gy.Offset, argmax!, dx.Arr<double>());
                return [dx];
            });
        });
    }

    /// <summary>Average pooling (PyTorch's <c>avg_pool2d</c>); <paramref name="stride"/> defaults to the kernel size.</summary>
    public static Tensor AvgPool2d(Tensor input, int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true) =>
        AvgPool2d(input, [kernelSize], [stride ?? kernelSize], [padding], ceilMode, countIncludePad);

    /// <summary>
    /// Average pooling with per-axis settings; <paramref name="padding"/> takes 1, 2 or 4 values [top, left, bottom, right].
    /// The divisor is the window size clipped to the padded input (<paramref name="countIncludePad"/>) or the number of input elements in it.
    /// </summary>
    /// <exception cref="ArgumentException">Bad shapes or settings (names the argument).</exception>
    public static Tensor AvgPool2d(Tensor input, int[] kernelSize, int[]? stride, int[] padding, bool ceilMode = false, bool countIncludePad = true)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Batched(input, "AvgPool2d", x =>
        {
            x.RequireFloat("AvgPool2d");
            var q = PoolSetup(x, kernelSize, stride, padding, [1], ceilMode, "AvgPool2d");
            var xc = x.Detach().Contiguous();
            var y = Tensor.Uninitialized([x.Dims[0], x.Dims[1], q.OH, q.OW], x.DType);
            if (x.DType == DType.Float32) PoolKernels.AvgForward(q, countIncludePad, xc.Arr<float>(), xc.Offset, y.Arr<float>());
            else PoolKernels.AvgForward(q, countIncludePad, xc.Arr<double>(), xc.Offset, y.Arr<double>());
            return Tensor.Record(y, "AvgPool2d", [x], g =>
            {
                var gy = g.Contiguous();
                var dx = Tensor.Uninitialized(x.Dims, x.DType);
                if (x.DType == DType.Float32) PoolKernels.AvgBackward(q, countIncludePad, gy.Arr<float>(), gy.Offset, dx.Arr<float>());
                else PoolKernels.AvgBackward(q, countIncludePad, gy.Arr<double>(), gy.Offset, dx.Arr<double>());
                return [dx];
            });
        });
    }

    /// <summary>
    /// Adaptive average pooling to [outputHeight, outputWidth] (PyTorch's <c>adaptive_avg_pool2d</c>): output cell (a, b)
    /// averages rows [⌊a·H/OH⌋, ⌈(a+1)·H/OH⌉) and the matching columns.
    /// </summary>
    public static Tensor AdaptiveAvgPool2d(Tensor input, int outputHeight, int outputWidth)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (outputHeight < 1 || outputWidth < 1) throw new ArgumentOutOfRangeException(nameof(outputHeight), "Output size must be positive.");
        return Batched(input, "AdaptiveAvgPool2d", x =>
        {
            x.RequireFloat("AdaptiveAvgPool2d");
            int n = x.Dims[0], c = x.Dims[1], h = x.Dims[2], w = x.Dims[3], oh = outputHeight, ow = outputWidth;
            if (h == 0 || w == 0) throw new ArgumentException("AdaptiveAvgPool2d needs a non-empty spatial input.", nameof(input));
            var xc = x.Detach().Contiguous();
            var y = Tensor.Uninitialized([n, c, oh, ow], x.DType);
            if (x.DType == DType.Float32) PoolKernels.AdaptiveAvgForward(n * c, h, w, oh, ow, xc.Arr<float>(), xc.Offset, y.Arr<float>());
            else PoolKernels.AdaptiveAvgForward(n * c, h, w, oh, ow, xc.Arr<double>(), xc.Offset, y.Arr<double>());
            return Tensor.Record(y, "AdaptiveAvgPool2d", [x], g =>
            {
                var gy = g.Contiguous();
                var dx = Tensor.Uninitialized(x.Dims, x.DType);
                if (x.DType == DType.Float32) PoolKernels.AdaptiveAvgBackward(n * c, h, w, oh, ow, gy.Arr<float>(), gy.Offset, dx.Arr<float>());
                else PoolKernels.AdaptiveAvgBackward(n * c, h, w, oh, ow, gy.Arr<double>(), gy.Offset, dx.Arr<double>());
                return [dx];
            });
        });
    }

    /// <summary>Global average pooling: [N, C, H, W] → [N, C, 1, 1] (ONNX GlobalAveragePool; adaptive pooling to 1×1).</summary>
    public static Tensor GlobalAvgPool2d(Tensor input) => AdaptiveAvgPool2d(input, 1, 1);

    private static PoolGeometry PoolSetup(Tensor x, int[] kernelSize, int[]? stride, int[] padding, int[] dilation, bool ceilMode, string op)
    {
        var (kh, kw) = Pair(kernelSize, nameof(kernelSize), 1);
        Positive(kh, kw, nameof(kernelSize));
        var (sh, sw) = stride == null || stride.Length == 0 ? (kh, kw) : Pair(stride, nameof(stride), 1);
        Positive(sh, sw, nameof(stride));
        var (dh, dw) = Pair(dilation, nameof(dilation), 1);
        Positive(dh, dw, nameof(dilation));
        var (pt, pl, pb, pr) = Pads(padding, nameof(padding));
        // PyTorch's rule for symmetric padding; explicit [top, left, bottom, right] pads (ONNX) are not restricted.
        if (padding.Length <= 2 && (Math.Max(pt, pb) > kh / 2 || Math.Max(pl, pr) > kw / 2))
            throw new ArgumentException($"{op}: padding ({pt}, {pl}, {pb}, {pr}) must be at most half the kernel size ({kh}×{kw}).", nameof(padding));
        int h = x.Dims[2], w = x.Dims[3];
        CheckKernelFits(h + pt + pb, w + pl + pr, dh * (kh - 1) + 1, dw * (kw - 1) + 1, op, nameof(kernelSize));
        int oh = ConvGeometry.OutputSize(h, kh, sh, pt, pb, dh, ceilMode), ow = ConvGeometry.OutputSize(w, kw, sw, pl, pr, dw, ceilMode);
        return new PoolGeometry(x.Dims[0] * x.Dims[1], h, w, oh, ow, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw);
    }
}
