using MLNetDeep.Tensors.Kernels;

namespace MLNetDeep.Tensors;

/// <summary>Convolutions (primitives with their own backward rules; see <see cref="ConvKernels"/>).</summary>
public static partial class F
{
    /// <summary>
    /// 2-D convolution (PyTorch's <c>conv2d</c>): input [N, C, H, W] (or [C, H, W]), weight [O, C/groups, KH, KW],
    /// bias [O] → [N, O, OH, OW]. Symmetric stride, padding and dilation.
    /// </summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1, int groups = 1) =>
        Conv2d(input, weight, bias, [stride], [padding], [dilation], groups);

    /// <summary>
    /// 2-D convolution with per-axis settings: <paramref name="stride"/> and <paramref name="dilation"/> take
    /// 1 or 2 values (height, width); <paramref name="padding"/> takes 1, 2 (height, width) or 4 values
    /// [top, left, bottom, right] (ONNX's pads order), so asymmetric padding is supported.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes do not fit (names the argument): wrong rank, channel count not matching
    /// weight·groups, or a kernel larger than the padded input.</exception>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, int[] stride, int[] padding, int[] dilation, int groups = 1)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        return Batched(input, "Conv2d", x => Conv2dCore(x, weight, bias, stride, padding, dilation, groups));
    }

    /// <summary>
    /// Inference convolution followed by a clamp to [lo, hi] (ReLU: [0, ∞), ReLU6: [0, 6]), fused into the
    /// float32 kernels' epilogues so the output is written once. Falls back to <c>Conv2d(...).Clamp(...)</c>
    /// when a gradient is needed or the type is not float32.
    /// </summary>
    internal static Tensor Conv2dClamped(Tensor input, Tensor weight, Tensor? bias, int[] stride, int[] padding, int[] dilation, int groups,
        float lo, float hi, PackedWeightCache? packedWeight = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        bool grad = input.RequiresGrad || weight.RequiresGrad || bias?.RequiresGrad == true;
        if (grad || input.DType != DType.Float32)
            return Conv2d(input, weight, bias, stride, padding, dilation, groups)
                .Clamp(float.IsNegativeInfinity(lo) ? null : lo, float.IsPositiveInfinity(hi) ? null : hi);
        return Batched(input, "Conv2d", x => Conv2dCore(x, weight, bias, stride, padding, dilation, groups, lo, hi, packedWeight));
    }

    private static Tensor Conv2dCore(Tensor input, Tensor weight, Tensor? bias, int[] stride, int[] padding, int[] dilation, int groups,
        float lo = float.NegativeInfinity, float hi = float.PositiveInfinity, PackedWeightCache? packedWeight = null)
    {
        input.RequireFloat("Conv2d");
        var (sh, sw) = Pair(stride, nameof(stride), 1);
        var (dh, dw) = Pair(dilation, nameof(dilation), 1);
        var (pt, pl, pb, pr) = Pads(padding, nameof(padding));
        Positive(sh, sw, nameof(stride));
        Positive(dh, dw, nameof(dilation));
        if (groups < 1) throw new ArgumentOutOfRangeException(nameof(groups), groups, "groups must be positive.");
        if (weight.Rank != 4) throw new ArgumentException($"Conv2d weight must be [O, C/groups, KH, KW], got {ShapeUtil.Format(weight.Dims)}.", nameof(weight));
        if (weight.DType != input.DType) throw new ArgumentException($"Conv2d weight is {weight.DType} but input is {input.DType}.", nameof(weight));
        int n = input.Dims[0], c = input.Dims[1], h = input.Dims[2], w = input.Dims[3];
        int o = weight.Dims[0], kh = weight.Dims[2], kw = weight.Dims[3];
        if (weight.Dims[1] * groups != c)
            throw new ArgumentException($"Conv2d expected input with {weight.Dims[1] * groups} channels (weight {ShapeUtil.Format(weight.Dims)}, groups {groups}), got {c}.", nameof(input));
        if (o % groups != 0) throw new ArgumentException($"Conv2d: {o} output channels are not divisible by groups {groups}.", nameof(weight));
        if (bias != null && (bias.Rank != 1 || bias.Dims[0] != o || bias.DType != input.DType))
            throw new ArgumentException($"Conv2d bias must be [{o}] {input.DType}, got {ShapeUtil.Format(bias.Dims)} {bias.DType}.", nameof(bias));
        CheckKernelFits(h + pt + pb, w + pl + pr, dh * (kh - 1) + 1, dw * (kw - 1) + 1, "Conv2d", nameof(weight));
        int oh = ConvGeometry.OutputSize(h, kh, sh, pt, pb, dh), ow = ConvGeometry.OutputSize(w, kw, sw, pl, pr, dw);
        var q = new ConvGeometry(n, c, h, w, o, oh, ow, kh, kw, sh, sw, pt, pl, dh, dw, groups);

        var x = input.Detach().Contiguous();
        var wt = weight.Detach().Contiguous();
        var b = bias?.Detach().Contiguous();
        var y = Tensor.Uninitialized([n, o, oh, ow], input.DType);
        if (input.DType == DType.Float32) ConvKernels.Forward(q, x.Arr<float>(), x.Offset, wt.Arr<float>(), wt.Offset, b?.Arr<float>(), b?.Offset ?? 0, y.Arr<float>(), lo, hi, packedWeight);
        else ConvKernels.Forward(q, x.Arr<double>(), x.Offset, wt.Arr<double>(), wt.Offset, b?.Arr<double>(), b?.Offset ?? 0, y.Arr<double>());

        Tensor[] inputs = bias != null ? [input, weight, bias] : [input, weight];
        return Tensor.Record(y, "Conv2d", inputs, g =>
        {
            var gy = g.Contiguous();
            var dx = input.RequiresGrad ? Tensor.Uninitialized(input.Dims, input.DType) : null;
            var dwt = weight.RequiresGrad ? Tensor.Uninitialized(weight.Dims, weight.DType) : null;
            var db = bias != null && bias.RequiresGrad ? Tensor.Uninitialized([o], input.DType) : null;
            ConvBackward(q, gy, x, wt, dx, dwt, db, transposed: false);
            return bias != null ? [dx, dwt, db] : [dx, dwt];
        });
    }

    /// <summary>
    /// Transposed 2-D convolution (PyTorch's <c>conv_transpose2d</c>, the adjoint of <see cref="Conv2d(Tensor, Tensor, Tensor?, int, int, int, int)"/>):
    /// input [N, Cin, H, W], weight [Cin, Cout/groups, KH, KW], bias [Cout] → [N, Cout, OH, OW] with
    /// OH = (H − 1)·stride − padTop − padBottom + dilation·(KH − 1) + outputPadding + 1.
    /// </summary>
    public static Tensor ConvTranspose2d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int outputPadding = 0, int groups = 1, int dilation = 1) =>
        ConvTranspose2d(input, weight, bias, [stride], [padding], [outputPadding], [dilation], groups);

    /// <summary>Transposed convolution with per-axis settings; <paramref name="padding"/> takes 1, 2 or 4 values [top, left, bottom, right].</summary>
    /// <exception cref="ArgumentException">Shapes do not fit (names the argument).</exception>
    public static Tensor ConvTranspose2d(Tensor input, Tensor weight, Tensor? bias, int[] stride, int[] padding, int[] outputPadding, int[] dilation, int groups = 1)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        return Batched(input, "ConvTranspose2d", x => ConvTranspose2dCore(x, weight, bias, stride, padding, outputPadding, dilation, groups));
    }

    private static Tensor ConvTranspose2dCore(Tensor input, Tensor weight, Tensor? bias, int[] stride, int[] padding, int[] outputPadding, int[] dilation, int groups)
    {
        input.RequireFloat("ConvTranspose2d");
        var (sh, sw) = Pair(stride, nameof(stride), 1);
        var (dh, dw) = Pair(dilation, nameof(dilation), 1);
        var (oph, opw) = Pair(outputPadding, nameof(outputPadding), 0);
        var (pt, pl, pb, pr) = Pads(padding, nameof(padding));
        Positive(sh, sw, nameof(stride));
        Positive(dh, dw, nameof(dilation));
        if (groups < 1) throw new ArgumentOutOfRangeException(nameof(groups), groups, "groups must be positive.");
        if (oph < 0 || opw < 0 || (oph >= sh && oph >= dh) || (opw >= sw && opw >= dw))
            throw new ArgumentOutOfRangeException(nameof(outputPadding), "outputPadding must be non-negative and smaller than either stride or dilation.");
        if (weight.Rank != 4) throw new ArgumentException($"ConvTranspose2d weight must be [Cin, Cout/groups, KH, KW], got {ShapeUtil.Format(weight.Dims)}.", nameof(weight));
        if (weight.DType != input.DType) throw new ArgumentException($"ConvTranspose2d weight is {weight.DType} but input is {input.DType}.", nameof(weight));
        int n = input.Dims[0], cin = input.Dims[1], h = input.Dims[2], w = input.Dims[3];
        int kh = weight.Dims[2], kw = weight.Dims[3], cout = weight.Dims[1] * groups;
        if (weight.Dims[0] != cin)
            throw new ArgumentException($"ConvTranspose2d expected input with {weight.Dims[0]} channels (weight {ShapeUtil.Format(weight.Dims)}), got {cin}.", nameof(input));
        if (cin % groups != 0) throw new ArgumentException($"ConvTranspose2d: {cin} input channels are not divisible by groups {groups}.", nameof(input));
        if (bias != null && (bias.Rank != 1 || bias.Dims[0] != cout || bias.DType != input.DType))
            throw new ArgumentException($"ConvTranspose2d bias must be [{cout}] {input.DType}, got {ShapeUtil.Format(bias.Dims)} {bias.DType}.", nameof(bias));
        int oh = (h - 1) * sh - pt - pb + dh * (kh - 1) + oph + 1, ow = (w - 1) * sw - pl - pr + dw * (kw - 1) + opw + 1;
        if (oh < 1 || ow < 1) throw new ArgumentException($"ConvTranspose2d: padding leaves an empty output ({oh}×{ow}).", nameof(padding));
        // The convolution whose input gradient this is: input [N, Cout, OH, OW] → output [N, Cin, H, W].
        var q = new ConvGeometry(n, cout, oh, ow, cin, h, w, kh, kw, sh, sw, pt, pl, dh, dw, groups);

        var x = input.Detach().Contiguous();
        var wt = weight.Detach().Contiguous();
        var y = Tensor.Uninitialized([n, cout, oh, ow], input.DType);
        if (input.DType == DType.Float32) ConvKernels.Backward(q, x.Arr<float>(), x.Offset, y.Arr<float>(), 0, wt.Arr<float>(), wt.Offset, y.Arr<float>(), null);
        else ConvKernels.Backward(q, x.Arr<double>(), x.Offset, y.Arr<double>(), 0, wt.Arr<double>(), wt.Offset, y.Arr<double>(), null);
        if (bias != null) y.AddInPlace(bias.Detach().Reshape(cout, 1, 1));

        Tensor[] inputs = bias != null ? [input, weight, bias] : [input, weight];
        return Tensor.Record(y, "ConvTranspose2d", inputs, g =>
        {
            var gy = g.Contiguous();
            var dx = input.RequiresGrad ? Tensor.Uninitialized(input.Dims, input.DType) : null;
            var dwt = weight.RequiresGrad ? Tensor.Uninitialized(weight.Dims, weight.DType) : null;
            var db = bias != null && bias.RequiresGrad ? Tensor.Uninitialized([cout], input.DType) : null;
            ConvBackward(q, gy, x, wt, dx, dwt, db, transposed: true);
            return bias != null ? [dx, dwt, db] : [dx, dwt];
        });
    }

    /// <summary>
    /// Gradients of a convolution (or, with <paramref name="transposed"/>, of its adjoint, where the roles of
    /// the convolution's input and output swap: dx = conv(gy, w), dw from (gy as input, x as output gradient)).
    /// </summary>
    private static void ConvBackward(ConvGeometry q, Tensor gy, Tensor x, Tensor w, Tensor? dx, Tensor? dw, Tensor? db, bool transposed)
    {
        if (gy.DType == DType.Float32) ConvBackward<float>(q, gy, x, w, dx, dw, db, transposed);
        else ConvBackward<double>(q, gy, x, w, dx, dw, db, transposed);
    }

    private static void ConvBackward<T>(ConvGeometry q, Tensor gy, Tensor x, Tensor w, Tensor? dx, Tensor? dw, Tensor? db, bool transposed)
        where T : unmanaged, System.Numerics.INumber<T>
    {
        if (!transposed)
        {
            if (dx != null || dw != null)
                ConvKernels.Backward(q, gy.Arr<T>(), gy.Offset, x.Arr<T>(), x.Offset, w.Arr<T>(), w.Offset, dx?.Arr<T>(), dw?.Arr<T>());
            if (db != null) ConvKernels.BiasGrad(gy.Arr<T>(), gy.Offset, q.N, q.O, q.P, db.Arr<T>());
            return;
        }
        if (dx != null) ConvKernels.Forward(q, gy.Arr<T>(), gy.Offset, w.Arr<T>(), w.Offset, null, 0, dx.Arr<T>());
        if (dw != null) ConvKernels.Backward(q, x.Arr<T>(), x.Offset, gy.Arr<T>(), gy.Offset, w.Arr<T>(), w.Offset, null, dw.Arr<T>());
        if (db != null) ConvKernels.BiasGrad(gy.Arr<T>(), gy.Offset, q.N, q.C, q.H * q.W, db.Arr<T>());
    }

    private static void CheckKernelFits(int paddedH, int paddedW, int extentH, int extentW, string op, string paramName)
    {
        if (extentH > paddedH || extentW > paddedW)
            throw new ArgumentException($"{op}: kernel extent {extentH}×{extentW} is larger than the padded input {paddedH}×{paddedW}.", paramName);
    }
}
