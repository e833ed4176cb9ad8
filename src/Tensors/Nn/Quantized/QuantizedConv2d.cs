using MLNetDeep.Tensors.Kernels;

namespace MLNetDeep.Tensors.Nn.Quantized;

/// <summary>
/// Inference-only int8 2-D convolution (groups = 1) over NCHW float input: weights symmetric int8 per output
/// channel, the input quantized per tensor with a calibrated (scale, zero point), computed as gathered receptive
/// fields × int8 weights (<see cref="Int8Conv"/>) with the dequantization, bias, an optional ReLU and an optional
/// 2×2 stride-2 max pool (the MaxPool2d(2) that follows the layer in a network) fused.
/// </summary>
public sealed class QuantizedConv2d : Module<Tensor, Tensor>
{
    private readonly PackedInt8Weights _packed;
    private readonly float[]? _bias;
    private readonly float[] _outScales;

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Kernel (height, width).</summary>
    public (int H, int W) KernelSize { get; }

    /// <summary>Stride (height, width).</summary>
    public (int H, int W) Stride { get; }

    /// <summary>Zero padding (height, width).</summary>
    public (int H, int W) Padding { get; }

    /// <summary>Dilation (height, width).</summary>
    public (int H, int W) Dilation { get; }

    /// <summary>Int8 weights [out, in, KH, KW] (row-major, the Conv2d layout).</summary>
    public IReadOnlyList<sbyte> WeightValues { get; }

    /// <summary>Per-output-channel weight scales [out].</summary>
    public IReadOnlyList<float> WeightScales { get; }

    /// <summary>Float bias [out], or null.</summary>
    public IReadOnlyList<float>? BiasValues => _bias;

    /// <summary>The calibrated input scale and zero point.</summary>
    public (float Scale, int ZeroPoint) Input { get; }

    /// <summary>Whether a ReLU is fused into the output.</summary>
    public bool Relu { get; }

    /// <summary>Whether a 2×2, stride-2, floor-mode max pool (after the ReLU) is fused into the output.</summary>
    public bool MaxPool { get; }

    /// <summary>Creates the layer from quantized weights [out, in, KH, KW].</summary>
    public QuantizedConv2d(sbyte[] weights, float[] weightScales, float[]? bias, int inChannels, (int H, int W) kernelSize, (int H, int W) stride,
        (int H, int W) padding, (int H, int W) dilation, (float Scale, int ZeroPoint) input, bool relu, bool maxPool = false)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(weightScales);
        int o = weightScales.Length, kh = kernelSize.H, kw = kernelSize.W, depth = inChannels * kh * kw;
        if (weights.Length != o * depth) throw new ArgumentException($"Expected {o}·{depth} weights, got {weights.Length}.", nameof(weights));
        if (bias != null && bias.Length != o) throw new ArgumentException($"Bias has {bias.Length} values, expected {o}.", nameof(bias));
        (InChannels, OutChannels, KernelSize, Stride, Padding, Dilation) = (inChannels, o, kernelSize, stride, padding, dilation);
        (WeightValues, WeightScales, _bias, Input, Relu, MaxPool) = (weights, weightScales, bias, input, relu, maxPool);
        // Kernel order (kh, kw, c): the gathered rows are channel-last.
        var reordered = new sbyte[weights.Length];
        for (int oc = 0; oc < o; oc++)
            for (int c = 0; c < inChannels; c++)
                for (int i = 0; i < kh; i++)
                    for (int j = 0; j < kw; j++)
                        reordered[oc * depth + (i * kw + j) * inChannels + c] = weights[((oc * inChannels + c) * kh + i) * kw + j];
        _packed = new PackedInt8Weights(reordered, o, depth);
        _outScales = new float[o];
        for (int oc = 0; oc < o; oc++) _outScales[oc] = input.Scale * weightScales[oc];
        Eval();
    }

    /// <summary>Quantizes <paramref name="conv"/> (groups = 1) per output channel.</summary>
    /// <exception cref="ArgumentException">The convolution is grouped.</exception>
    public static QuantizedConv2d From(Conv2d conv, (float Scale, int ZeroPoint) input, bool relu = false, bool maxPool = false)
    {
        ArgumentNullException.ThrowIfNull(conv);
        if (conv.Groups != 1) throw new ArgumentException($"Only ungrouped convolutions are quantized; this one has {conv.Groups} groups.", nameof(conv));
        int depth = conv.InChannels * conv.KernelSize.H * conv.KernelSize.W;
        var (q, scales) = Int8Quantization.QuantizeWeights(conv.Weight.Contiguous().ToFloatArray(), conv.OutChannels, depth);
        return new QuantizedConv2d(q, scales, conv.Bias?.ToFloatArray(), conv.InChannels, conv.KernelSize, conv.Stride, conv.Padding, conv.Dilation, input, relu, maxPool);
    }

    /// <summary>[N, in, H, W] → [N, out, OH, OW] (float32), or [N, out, OH / 2, OW / 2] with <see cref="MaxPool"/>.</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 4 || input.Size(1) != InChannels)
            throw new ArgumentException($"QuantizedConv2d expects [N, {InChannels}, H, W], got [{string.Join(", ", input.Shape.ToArray())}].", nameof(input));
        int n = input.Size(0), h = input.Size(2), w = input.Size(3);
        int oh = ConvGeometry.OutputSize(h, KernelSize.H, Stride.H, Padding.H, Padding.H, Dilation.H);
        int ow = ConvGeometry.OutputSize(w, KernelSize.W, Stride.W, Padding.W, Padding.W, Dilation.W);
        var q = new ConvGeometry(n, InChannels, h, w, OutChannels, oh, ow, KernelSize.H, KernelSize.W, Stride.H, Stride.W, Padding.H, Padding.W,
            Dilation.H, Dilation.W, 1);
        var dense = input.DType == DType.Float32 ? input.Contiguous() : Tensor.FromArray(input.ToFloatArray(), input.Shape.ToArray());
        int yh = MaxPool ? oh / 2 : oh, yw = MaxPool ? ow / 2 : ow;
        var y = new float[n * OutChannels * yh * yw];
        Int8Conv.Forward(q, dense.Arr<float>(), dense.Offset, Input.Scale, Input.ZeroPoint, _packed, _outScales, _bias, Relu, y, MaxPool);
        return Tensor.Wrap(y, [n, OutChannels, yh, yw], DType.Float32);
    }

    /// <inheritdoc/>
    protected override string Describe() =>
        $"QuantizedConv2d({InChannels}, {OutChannels}, kernel_size={KernelSize}, stride={Stride}, padding={Padding}, input scale={Input.Scale:G4} zp={Input.ZeroPoint}, relu={Relu}, max_pool={MaxPool})";
}
