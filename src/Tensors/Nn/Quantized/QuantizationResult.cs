namespace MLNetDeep.Tensors.Nn.Quantized;

/// <summary>The output of <see cref="PostTrainingQuantizer.Quantize"/>.</summary>
/// <param name="Network">The quantized network (evaluation mode).</param>
/// <param name="Ranges">The calibrated input range of each statically quantized layer, in visiting order.</param>
public sealed record QuantizationResult(Module<Tensor, Tensor> Network, IReadOnlyList<ActivationRange> Ranges)
{
    /// <summary>Number of int8 layers in <see cref="Network"/>.</summary>
    public int QuantizedLayers => Network.NamedModules().Count(m => m.Value is QuantizedConv2d or QuantizedLinear);
}
