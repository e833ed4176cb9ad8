namespace MLNetDeep.Tensors.Nn;

/// <summary>
/// 2-D convolution over NCHW inputs (torch.nn.Conv2d). Weight [out, in/groups, KH, KW] ("weight"), bias [out]
/// ("bias"), both initialized as PyTorch does: U(−1/√fan_in, 1/√fan_in), fan_in = in/groups·KH·KW.
/// groups = in = out gives a depthwise convolution, a 1×1 kernel a pointwise one.
/// </summary>
public sealed class Conv2d : Module<Tensor, Tensor>
{
    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Kernel (height, width).</summary>
    public (int H, int W) KernelSize { get; }

    /// <summary>Stride (height, width).</summary>
    public (int H, int W) Stride { get; }

    /// <summary>Zero padding (height, width), applied on both sides.</summary>
    public (int H, int W) Padding { get; }

    /// <summary>Dilation (height, width).</summary>
    public (int H, int W) Dilation { get; }

    /// <summary>Number of channel groups.</summary>
    public int Groups { get; }

    /// <summary>Weight [out, in/groups, KH, KW] (parameter "weight").</summary>
    public Tensor Weight { get; }

    /// <summary>Bias [out] (parameter "bias"), or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>Creates a convolution with a square kernel and symmetric settings.</summary>
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int dilation = 1, int groups = 1,
        bool bias = true, Generator? generator = null, DType dtype = DType.Float32)
        : this(inChannels, outChannels, (kernelSize, kernelSize), (stride, stride), (padding, padding), (dilation, dilation), groups, bias, generator, dtype)
    {
    }

    /// <summary>Creates a convolution with per-axis (height, width) settings.</summary>
    /// <param name="inChannels">Input channels (divisible by <paramref name="groups"/>).</param>
    /// <param name="outChannels">Output channels (divisible by <paramref name="groups"/>).</param>
    /// <param name="kernelSize">Kernel (height, width).</param>
    /// <param name="stride">Stride (height, width).</param>
    /// <param name="padding">Zero padding (height, width).</param>
    /// <param name="dilation">Dilation (height, width).</param>
    /// <param name="groups">Channel groups.</param>
    /// <param name="bias">Whether to learn a bias.</param>
    /// <param name="generator">Random source for the initialization.</param>
    /// <param name="dtype">Parameter dtype.</param>
    public Conv2d(int inChannels, int outChannels, (int H, int W) kernelSize, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation,
        int groups = 1, bool bias = true, Generator? generator = null, DType dtype = DType.Float32)
    {
        ConvLayerInit.Validate("Conv2d", inChannels, outChannels, kernelSize, groups, dtype);
        (InChannels, OutChannels, KernelSize, Stride, Padding, Dilation, Groups) = (inChannels, outChannels, kernelSize, stride, padding, dilation, groups);
        var g = generator ?? Generator.Default;
        Weight = RegisterParameter("weight", ConvLayerInit.Weight(outChannels, inChannels / groups, kernelSize, g, dtype));
        if (bias) Bias = RegisterParameter("bias", ConvLayerInit.Bias(outChannels, inChannels / groups, kernelSize, g, dtype));
    }

    /// <summary>[N, in, H, W] → [N, out, OH, OW].</summary>
    public override Tensor Forward(Tensor input) =>
        F.Conv2d(input, Weight, Bias, [Stride.H, Stride.W], [Padding.H, Padding.W], [Dilation.H, Dilation.W], Groups);

    /// <inheritdoc/>
    protected override string Describe() =>
        $"Conv2d({InChannels}, {OutChannels}, kernel_size={KernelSize}, stride={Stride}, padding={Padding}, dilation={Dilation}, groups={Groups}, bias={Bias is not null})";
}
