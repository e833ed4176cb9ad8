namespace MLNetDeep.Tensors.Nn;

/// <summary>
/// Transposed 2-D convolution (torch.nn.ConvTranspose2d). Weight [in, out/groups, KH, KW] ("weight"), bias [out]
/// ("bias"), initialized as PyTorch does (fan_in = out/groups·KH·KW, the weight's dim 1 times the kernel).
/// </summary>
public sealed class ConvTranspose2d : Module<Tensor, Tensor>
{
    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Kernel (height, width).</summary>
    public (int H, int W) KernelSize { get; }

    /// <summary>Stride (height, width).</summary>
    public (int H, int W) Stride { get; }

    /// <summary>Padding (height, width) removed from both sides of the output.</summary>
    public (int H, int W) Padding { get; }

    /// <summary>Extra size added to one side of the output (height, width).</summary>
    public (int H, int W) OutputPadding { get; }

    /// <summary>Dilation (height, width).</summary>
    public (int H, int W) Dilation { get; }

    /// <summary>Number of channel groups.</summary>
    public int Groups { get; }

    /// <summary>Weight [in, out/groups, KH, KW] (parameter "weight").</summary>
    public Tensor Weight { get; }

    /// <summary>Bias [out] (parameter "bias"), or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>Creates the layer with a square kernel and symmetric settings.</summary>
    public ConvTranspose2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int outputPadding = 0, int groups = 1,
        bool bias = true, int dilation = 1, Generator? generator = null, DType dtype = DType.Float32)
        : this(inChannels, outChannels, (kernelSize, kernelSize), (stride, stride), (padding, padding), (outputPadding, outputPadding), (dilation, dilation), groups, bias, generator, dtype)
    {
    }

    /// <summary>Creates the layer with per-axis (height, width) settings.</summary>
    /// <param name="inChannels">Input channels (divisible by <paramref name="groups"/>).</param>
    /// <param name="outChannels">Output channels (divisible by <paramref name="groups"/>).</param>
    /// <param name="kernelSize">Kernel (height, width).</param>
    /// <param name="stride">Stride.</param>
    /// <param name="padding">Padding.</param>
    /// <param name="outputPadding">Output padding (smaller than stride or dilation).</param>
    /// <param name="dilation">Dilation.</param>
    /// <param name="groups">Channel groups.</param>
    /// <param name="bias">Whether to learn a bias.</param>
    /// <param name="generator">Random source for the initialization.</param>
    /// <param name="dtype">Parameter dtype.</param>
    public ConvTranspose2d(int inChannels, int outChannels, (int H, int W) kernelSize, (int H, int W) stride, (int H, int W) padding, (int H, int W) outputPadding,
        (int H, int W) dilation, int groups = 1, bool bias = true, Generator? generator = null, DType dtype = DType.Float32)
    {
        ConvLayerInit.Validate("ConvTranspose2d", inChannels, outChannels, kernelSize, groups, dtype);
        (InChannels, OutChannels, KernelSize, Stride, Padding, OutputPadding, Dilation, Groups) = (inChannels, outChannels, kernelSize, stride, padding, outputPadding, dilation, groups);
        var g = generator ?? Generator.Default;
        Weight = RegisterParameter("weight", ConvLayerInit.Weight(inChannels, outChannels / groups, kernelSize, g, dtype));
        if (bias) Bias = RegisterParameter("bias", ConvLayerInit.Bias(outChannels, outChannels / groups, kernelSize, g, dtype));
    }

    /// <summary>[N, in, H, W] → [N, out, OH, OW].</summary>
    public override Tensor Forward(Tensor input) =>
        F.ConvTranspose2d(input, Weight, Bias, [Stride.H, Stride.W], [Padding.H, Padding.W], [OutputPadding.H, OutputPadding.W], [Dilation.H, Dilation.W], Groups);

    /// <inheritdoc/>
    protected override string Describe() =>
        $"ConvTranspose2d({InChannels}, {OutChannels}, kernel_size={KernelSize}, stride={Stride}, padding={Padding}, output_padding={OutputPadding}, groups={Groups})";
}
