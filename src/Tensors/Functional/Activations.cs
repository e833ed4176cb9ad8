namespace MLNetDeep.Tensors;

/// <summary>
/// Functional forms of layers, activations and losses (PyTorch's <c>torch.nn.functional</c>), all
/// composed from the tensor primitives so their gradients come for free.
/// </summary>
public static partial class F
{
    /// <summary>max(x, 0).</summary>
    public static Tensor Relu(Tensor x) => x.Relu();

    /// <summary>x for x &gt; 0, else slope·x.</summary>
    public static Tensor LeakyRelu(Tensor x, double negativeSlope = 0.01) =>
        Tensor.Where(x.Gt(0), x, x.Mul(negativeSlope));

    /// <summary>Logistic sigmoid.</summary>
    public static Tensor Sigmoid(Tensor x) => x.Sigmoid();

    /// <summary>Hyperbolic tangent.</summary>
    public static Tensor Tanh(Tensor x) => x.Tanh();

    /// <summary>GELU: x·Φ(x) with the exact erf form, or the tanh approximation when <paramref name="tanhApproximation"/>.</summary>
    public static Tensor Gelu(Tensor x, bool tanhApproximation = false)
    {
        if (!tanhApproximation) return x.Mul(x.Mul(0.7071067811865476).Erf().Add(1)).Mul(0.5);
        var inner = x.Add(x.Pow(3).Mul(0.044715)).Mul(0.7978845608028654);
        return x.Mul(inner.Tanh().Add(1)).Mul(0.5);
    }

    /// <summary>log(1 + eˣ), computed stably as max(x, 0) + log(1 + e^−|x|).</summary>
    public static Tensor Softplus(Tensor x) => x.Relu().Add(x.Abs().Neg().Exp().Add(1).Log());

    /// <summary>
    /// Softmax along <paramref name="dim"/>, shifted by the max for stability. Over the last dim it is a
    /// fused primitive (one SIMD pass per row, forward and backward); other dims are composed.
    /// </summary>
    public static Tensor Softmax(Tensor x, int dim)
    {
        if (x.IsFloatingPoint && x.Rank > 0 && ShapeUtil.NormalizeDim(dim, x.Rank) == x.Rank - 1) return SoftmaxLastDim(x, log: false);
        var e = x.Sub(x.Detach().Max(dim, keepDim: true)).Exp();
        return e.Div(e.Sum(dim, keepDim: true));
    }

    /// <summary>log(softmax(x)) along <paramref name="dim"/>, computed stably (fused over the last dim, like <see cref="Softmax"/>).</summary>
    public static Tensor LogSoftmax(Tensor x, int dim)
    {
        if (x.IsFloatingPoint && x.Rank > 0 && ShapeUtil.NormalizeDim(dim, x.Rank) == x.Rank - 1) return SoftmaxLastDim(x, log: true);
        var z = x.Sub(x.Detach().Max(dim, keepDim: true));
        return z.Sub(z.Exp().Sum(dim, keepDim: true).Log());
    }

    /// <summary>y = x·Wᵀ + b, with W of shape [out, in]; x may have any leading dimensions ([…, in] → […, out]).</summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null)
    {
        if (x.Rank == 2) return Tensor.Affine(x, weight, bias);
        if (x.Rank == 0) throw new ArgumentException("Linear needs an input of rank >= 1.");
        var lead = x.Shape[..^1].ToArray();
        return Tensor.Affine(x.Reshape(-1, x.Size(-1)), weight, bias).Reshape([.. lead, weight.Size(0)]);
    }

    /// <summary>
    /// Inverted dropout: in training, zeroes each element with probability <paramref name="p"/> and
    /// scales the rest by 1/(1−p); identity otherwise.
    /// </summary>
    public static Tensor Dropout(Tensor x, double p, bool training, Generator? generator = null)
    {
        if (p < 0 || p > 1) throw new ArgumentOutOfRangeException(nameof(p), p, "Dropout probability must be in [0, 1].");
        if (!training || p == 0) return x;
        if (p == 1) return x.Mul(0);
        var g = generator ?? Generator.Default;
        var mask = Tensor.Zeros(x.Shape.ToArray(), x.DType);
        float keep = (float)(1 / (1 - p));
        for (int i = 0; i < mask.Numel; i++) mask.SetFlat(i, g.NextDouble() >= p ? keep : 0);
        return x.Mul(mask);
    }

    /// <summary>
    /// Rows of <paramref name="weight"/> ([vocab, dim]) for each id in <paramref name="ids"/> (int64, any shape) → [..ids, dim].
    /// The gradient is an index-add touching only the looked-up rows; the <paramref name="paddingIdx"/> row gets none.
    /// </summary>
    public static Tensor Embedding(Tensor ids, Tensor weight, int? paddingIdx = null)
    {
        if (ids.DType != DType.Int64) throw new ArgumentException($"Embedding ids must be Int64, got {ids.DType}.");
        if (weight.Rank != 2) throw new ArgumentException($"Embedding weight must be [vocab, dim], got rank {weight.Rank}.");
        var flat = ids.Reshape(-1);
        Tensor rows;
        if (paddingIdx is int pad)
        {
            var keep = flat.Eq(pad).Neg().Add(1).To(weight.DType).Unsqueeze(1); // 0 on padding rows
            var selected = weight.Detach().IndexSelect(0, flat);
            rows = Tensor.Record(selected, "Embedding", [weight], g => [Tensor.Zeros(weight.Shape.ToArray(), weight.DType).IndexAdd(0, flat, g.Mul(keep))]);
        }
        else rows = weight.IndexSelect(0, flat);
        return rows.Reshape([.. ids.Shape.ToArray(), weight.Size(1)]);
    }
}
