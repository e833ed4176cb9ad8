namespace MLNetDeep.Tensors.Nn;

/// <summary>2-D average pooling (torch.nn.AvgPool2d); the stride defaults to the kernel size.</summary>
/// <param name="kernelSize">Window size.</param>
/// <param name="stride">Step (null: the kernel size).</param>
/// <param name="padding">Implicit zero padding on both sides (at most half the kernel).</param>
/// <param name="ceilMode">Round the output size up instead of down.</param>
/// <param name="countIncludePad">Whether padded zeros count in the divisor.</param>
public sealed class AvgPool2d(int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true) : Module<Tensor, Tensor>
{
    /// <summary>Window size.</summary>
    public int KernelSize { get; } = kernelSize;

    /// <summary>Step.</summary>
    public int Stride { get; } = stride ?? kernelSize;

    /// <summary>Padding.</summary>
    public int Padding { get; } = padding;

    /// <summary>Whether the output size rounds up.</summary>
    public bool CeilMode { get; } = ceilMode;

    /// <summary>Whether padded zeros count in the divisor.</summary>
    public bool CountIncludePad { get; } = countIncludePad;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.AvgPool2d(input, KernelSize, Stride, Padding, CeilMode, CountIncludePad);

    /// <inheritdoc/>
    protected override string Describe() => $"AvgPool2d(kernel_size={KernelSize}, stride={Stride}, padding={Padding}, ceil_mode={CeilMode}, count_include_pad={CountIncludePad})";
}
