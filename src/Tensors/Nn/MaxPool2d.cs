namespace MLNetDeep.Tensors.Nn;

/// <summary>2-D max pooling (torch.nn.MaxPool2d); the stride defaults to the kernel size.</summary>
/// <param name="kernelSize">Window size.</param>
/// <param name="stride">Step (null: the kernel size).</param>
/// <param name="padding">Implicit −∞ padding on both sides (at most half the kernel).</param>
/// <param name="dilation">Spacing between window elements.</param>
/// <param name="ceilMode">Round the output size up instead of down.</param>
public sealed class MaxPool2d(int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false) : Module<Tensor, Tensor>
{
    /// <summary>Window size.</summary>
    public int KernelSize { get; } = kernelSize;

    /// <summary>Step.</summary>
    public int Stride { get; } = stride ?? kernelSize;

    /// <summary>Padding.</summary>
    public int Padding { get; } = padding;

    /// <summary>Dilation.</summary>
    public int Dilation { get; } = dilation;

    /// <summary>Whether the output size rounds up.</summary>
    public bool CeilMode { get; } = ceilMode;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.MaxPool2d(input, KernelSize, Stride, Padding, Dilation, CeilMode);

    /// <inheritdoc/>
    protected override string Describe() => $"MaxPool2d(kernel_size={KernelSize}, stride={Stride}, padding={Padding}, dilation={Dilation}, ceil_mode={CeilMode})";
}
