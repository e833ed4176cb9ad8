namespace MLNetDeep.Tensors.Nn;

/// <summary>
/// Affine layer y = x·Wᵀ + b over the last dimension. Weight is [out, in]; both weight and bias start
/// at U(−1/√in, 1/√in), PyTorch's default (Kaiming-uniform with a = √5).
/// </summary>
public sealed class Linear : Module<Tensor, Tensor>
{
    /// <summary>Size of each input sample.</summary>
    public int InFeatures { get; }

    /// <summary>Size of each output sample.</summary>
    public int OutFeatures { get; }

    /// <summary>Weight of shape [<see cref="OutFeatures"/>, <see cref="InFeatures"/>] (parameter "weight").</summary>
    public Tensor Weight { get; }

    /// <summary>Bias of shape [<see cref="OutFeatures"/>] (parameter "bias"), or null when built without one.</summary>
    public Tensor? Bias { get; }

    /// <summary>Creates the layer and initializes it.</summary>
    /// <param name="inFeatures">Input size (≥ 0).</param>
    /// <param name="outFeatures">Output size (≥ 0).</param>
    /// <param name="bias">Whether to learn an additive bias.</param>
    /// <param name="generator">Random source for the initialization (default <see cref="Generator.Default"/>).</param>
    /// <param name="dtype">Parameter dtype: Float32 or Float64.</param>
    public Linear(int inFeatures, int outFeatures, bool bias = true, Generator? generator = null, DType dtype = DType.Float32)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegative(outFeatures);
        if (dtype == DType.Int64) throw new ArgumentException("Linear parameters must be floating-point.", nameof(dtype));
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        var g = generator ?? Generator.Default;
        Weight = RegisterParameter("weight", Init.KaimingUniform(Tensor.Zeros([outFeatures, inFeatures], dtype), a: Math.Sqrt(5), generator: g));
        if (bias)
        {
            double bound = inFeatures > 0 ? 1 / Math.Sqrt(inFeatures) : 0;
            Bias = RegisterParameter("bias", Init.Uniform(Tensor.Zeros([outFeatures], dtype), -bound, bound, g));
        }
    }

    /// <summary>Applies the layer to [..., in] → [..., out].</summary>
    public override Tensor Forward(Tensor input) => F.Linear(input, Weight, Bias);

    /// <inheritdoc/>
    protected override string Describe() => $"Linear(in={InFeatures}, out={OutFeatures}, bias={Bias is not null})";
}
