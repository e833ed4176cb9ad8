using MLNetDeep.Tensors.Kernels;

namespace MLNetDeep.Tensors.Nn.Quantized;

/// <summary>The calibrated input range of one quantized layer, in the order <see cref="PostTrainingQuantizer"/> visits the layers.</summary>
/// <param name="Min">Lower end of the observed (or clipped) input range.</param>
/// <param name="Max">Upper end.</param>
public readonly record struct ActivationRange(float Min, float Max)
{
    /// <summary>The activation scale and zero point for this range (<see cref="Int8Quantization.ActivationParameters"/>).</summary>
    public (float Scale, int ZeroPoint) Parameters => Int8Quantization.ActivationParameters(Min, Max);
}
