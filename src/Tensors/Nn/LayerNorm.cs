namespace MLNetDeep.Tensors.Nn;

/// <summary>
/// Layer normalization over the trailing <see cref="NormalizedShape"/> dims (torch.nn.LayerNorm):
/// y = (x − mean)/√(var + eps)·weight + bias with the biased variance. Parameters "weight" (ones) and
/// "bias" (zeros) exist when <see cref="ElementwiseAffine"/>. Runs as one fused primitive (<see cref="F.LayerNorm"/>).
/// </summary>
public sealed class LayerNorm : Module<Tensor, Tensor>
{
    /// <summary>The trailing shape normalized over.</summary>
    public int[] NormalizedShape { get; }

    /// <summary>Added to the variance for stability.</summary>
    public double Eps { get; }

    /// <summary>Whether the layer learns a per-element scale and shift.</summary>
    public bool ElementwiseAffine { get; }

    /// <summary>Scale of shape <see cref="NormalizedShape"/> (parameter "weight"), or null.</summary>
    public Tensor? Weight { get; }

    /// <summary>Shift of shape <see cref="NormalizedShape"/> (parameter "bias"), or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>Creates a layer normalizing over the last dim of size <paramref name="normalizedShape"/>.</summary>
    /// <param name="normalizedShape">Size of the last dim.</param>
    /// <param name="eps">Added to the variance.</param>
    /// <param name="elementwiseAffine">Whether to learn weight and bias.</param>
    /// <param name="dtype">Parameter dtype.</param>
    public LayerNorm(int normalizedShape, double eps = 1e-5, bool elementwiseAffine = true, DType dtype = DType.Float32)
        : this([normalizedShape], eps, elementwiseAffine, dtype)
    {
    }

    /// <summary>Creates a layer normalizing over the trailing dims <paramref name="normalizedShape"/>.</summary>
    /// <param name="normalizedShape">The trailing shape (non-empty, positive sizes).</param>
    /// <param name="eps">Added to the variance (&gt; 0).</param>
    /// <param name="elementwiseAffine">Whether to learn weight and bias.</param>
    /// <param name="dtype">Parameter dtype.</param>
    public LayerNorm(int[] normalizedShape, double eps = 1e-5, bool elementwiseAffine = true, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(normalizedShape);
        if (normalizedShape.Length == 0 || normalizedShape.Any(s => s <= 0))
            throw new ArgumentException($"normalizedShape must be non-empty with positive sizes, got {ShapeUtil.Format(normalizedShape)}.", nameof(normalizedShape));
        if (!(eps > 0)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "eps must be positive.");
        if (dtype == DType.Int64) throw new ArgumentException("LayerNorm parameters must be floating-point.", nameof(dtype));
        NormalizedShape = (int[])normalizedShape.Clone();
        Eps = eps;
        ElementwiseAffine = elementwiseAffine;
        if (elementwiseAffine)
        {
            Weight = RegisterParameter("weight", Tensor.Ones(NormalizedShape, dtype));
            Bias = RegisterParameter("bias", Tensor.Zeros(NormalizedShape, dtype));
        }
    }

    /// <summary>Normalizes [..., *NormalizedShape].</summary>
    public override Tensor Forward(Tensor input) => F.LayerNorm(input, NormalizedShape, Weight, Bias, Eps);

    /// <inheritdoc/>
    protected override string Describe() => $"LayerNorm({ShapeUtil.Format(NormalizedShape)}, eps={Eps}, elementwise_affine={ElementwiseAffine})";
}
