namespace MLNetDeep.Tensors.Nn;

/// <summary>Adaptive 2-D average pooling to a fixed output size (torch.nn.AdaptiveAvgPool2d); (1, 1) is global average pooling.</summary>
/// <param name="outputHeight">Output height.</param>
/// <param name="outputWidth">Output width (null: same as the height).</param>
public sealed class AdaptiveAvgPool2d(int outputHeight, int? outputWidth = null) : Module<Tensor, Tensor>
{
    /// <summary>Output (height, width).</summary>
    public (int H, int W) OutputSize { get; } = (outputHeight, outputWidth ?? outputHeight);

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.AdaptiveAvgPool2d(input, OutputSize.H, OutputSize.W);

    /// <inheritdoc/>
    protected override string Describe() => $"AdaptiveAvgPool2d(output_size={OutputSize})";
}
