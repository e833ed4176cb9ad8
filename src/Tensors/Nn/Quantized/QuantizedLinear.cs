using MLNetDeep.Tensors.Kernels;

namespace MLNetDeep.Tensors.Nn.Quantized;

/// <summary>
/// Inference-only int8 affine layer y = x·Wᵀ + b over the last dimension: weights symmetric int8 per output row,
/// the input quantized per tensor either with a calibrated (scale, zero point) (static) or from each batch's own
/// min/max (dynamic), one <see cref="Int8Gemm"/> with the dequantization, bias and an optional ReLU in its epilogue.
/// </summary>
public sealed class QuantizedLinear : Module<Tensor, Tensor>
{
    private readonly PackedInt8Weights _packed;
    private readonly float[]? _bias;

    /// <summary>Size of each input sample.</summary>
    public int InFeatures { get; }

    /// <summary>Size of each output sample.</summary>
    public int OutFeatures { get; }

    /// <summary>Int8 weights, row-major [out, in].</summary>
    public IReadOnlyList<sbyte> WeightValues { get; }

    /// <summary>Per-output-row weight scales [out].</summary>
    public IReadOnlyList<float> WeightScales { get; }

    /// <summary>Float bias [out], or null.</summary>
    public IReadOnlyList<float>? BiasValues => _bias;

    /// <summary>The calibrated input (scale, zero point), or null for dynamic quantization.</summary>
    public (float Scale, int ZeroPoint)? Input { get; }

    /// <summary>Whether a ReLU is fused into the output.</summary>
    public bool Relu { get; }

    /// <summary>Creates the layer from already quantized weights.</summary>
    /// <param name="weights">Int8 weights [out, in] in [−127, 127].</param>
    /// <param name="weightScales">One scale per output.</param>
    /// <param name="bias">Float bias [out], or null.</param>
    /// <param name="inFeatures">Input size.</param>
    /// <param name="input">Static input quantization, or null for dynamic.</param>
    /// <param name="relu">Fuse a ReLU.</param>
    public QuantizedLinear(sbyte[] weights, float[] weightScales, float[]? bias, int inFeatures, (float Scale, int ZeroPoint)? input, bool relu)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(weightScales);
        ArgumentOutOfRangeException.ThrowIfLessThan(inFeatures, 1);
        int outFeatures = weightScales.Length;
        if (bias != null && bias.Length != outFeatures) throw new ArgumentException($"Bias has {bias.Length} values, expected {outFeatures}.", nameof(bias));
        _packed = new PackedInt8Weights(weights, outFeatures, inFeatures);
        (InFeatures, OutFeatures, WeightValues, WeightScales, _bias, Input, Relu) = (inFeatures, outFeatures, weights, weightScales, bias, input, relu);
        Eval();
    }

    /// <summary>Quantizes <paramref name="linear"/>'s weights per output row.</summary>
    /// <param name="linear">The float layer.</param>
    /// <param name="input">Calibrated input quantization, or null for dynamic.</param>
    /// <param name="relu">Fuse a ReLU that follows the layer.</param>
    public static QuantizedLinear From(Linear linear, (float Scale, int ZeroPoint)? input, bool relu = false)
    {
        ArgumentNullException.ThrowIfNull(linear);
        var (q, scales) = Int8Quantization.QuantizeWeights(linear.Weight.Contiguous().ToFloatArray(), linear.OutFeatures, linear.InFeatures);
        return new QuantizedLinear(q, scales, linear.Bias?.ToFloatArray(), linear.InFeatures, input, relu);
    }

    /// <summary>[..., in] → [..., out] (float32).</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank < 1 || input.Size(-1) != InFeatures)
            throw new ArgumentException($"QuantizedLinear expects [..., {InFeatures}], got [{string.Join(", ", input.Shape.ToArray())}].", nameof(input));
        float[] x = input.DType == DType.Float32 ? input.Contiguous().ToArray<float>() : input.ToFloatArray();
        int m = x.Length / InFeatures, kp = _packed.PaddedK;
        var (scale, zp) = Input ?? DynamicParameters(x);
        var a = new byte[m * kp];
        for (int r = 0; r < m; r++) Int8Quantization.Quantize(x.AsSpan(r * InFeatures, InFeatures), scale, zp, a.AsSpan(r * kp, InFeatures));
        var scales = new float[OutFeatures];
        for (int o = 0; o < OutFeatures; o++) scales[o] = scale * WeightScales[o];
        var y = new float[m * OutFeatures];
        Int8Gemm.MultiplyDequantize(m, a, kp, _packed, zp, scales, _bias, Relu, 1, y);
        var shape = input.Shape.ToArray();
        shape[^1] = OutFeatures;
        return Tensor.Wrap(y, shape, DType.Float32);
    }

    private static (float, int) DynamicParameters(float[] x)
    {
        if (x.Length == 0) return (1f, 0);
        return Int8Quantization.ActivationParameters(System.Numerics.Tensors.TensorPrimitives.Min(x), System.Numerics.Tensors.TensorPrimitives.Max(x));
    }

    /// <inheritdoc/>
    protected override string Describe() =>
        $"QuantizedLinear(in={InFeatures}, out={OutFeatures}, bias={_bias is not null}, input={(Input is { } p ? $"static scale={p.Scale:G4} zp={p.ZeroPoint}" : "dynamic")}, relu={Relu})";
}
