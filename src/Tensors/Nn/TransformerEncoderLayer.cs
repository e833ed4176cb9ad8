namespace MLNetDeep.Tensors.Nn;

/// <summary>
/// One Transformer encoder layer as torch.nn.TransformerEncoderLayer: self-attention then a
/// feed-forward block (Linear → activation → dropout → Linear), each with dropout, a residual and
/// LayerNorm — after the residual (post-norm, the default) or before the block (<see cref="NormFirst"/>).
/// Child names match torch ("self_attn", "linear1", "linear2", "norm1", "norm2"), so state dicts are interchangeable.
/// </summary>
public sealed class TransformerEncoderLayer : Module<Tensor, Tensor>
{
    private readonly Dropout _dropout, _dropout1, _dropout2;

    /// <summary>Self-attention block.</summary>
    public MultiheadAttention SelfAttn { get; }

    /// <summary>First feed-forward projection d_model → dim_feedforward.</summary>
    public Linear Linear1 { get; }

    /// <summary>Second feed-forward projection dim_feedforward → d_model.</summary>
    public Linear Linear2 { get; }

    /// <summary>Norm of the attention block.</summary>
    public LayerNorm Norm1 { get; }

    /// <summary>Norm of the feed-forward block.</summary>
    public LayerNorm Norm2 { get; }

    /// <summary>Whether LayerNorm comes before each block (pre-norm).</summary>
    public bool NormFirst { get; }

    /// <summary>Feed-forward activation: "relu" or "gelu" (exact).</summary>
    public string Activation { get; }

    /// <summary>Creates the layer.</summary>
    /// <param name="dModel">Model size.</param>
    /// <param name="nhead">Number of attention heads (must divide <paramref name="dModel"/>).</param>
    /// <param name="dimFeedforward">Hidden size of the feed-forward block (torch's default 2048).</param>
    /// <param name="dropout">Dropout probability (attention weights, feed-forward, residual branches).</param>
    /// <param name="activation">"relu" or "gelu".</param>
    /// <param name="layerNormEps">LayerNorm eps.</param>
    /// <param name="batchFirst">Whether inputs are [N, L, E].</param>
    /// <param name="normFirst">Pre-norm instead of post-norm.</param>
    /// <param name="generator">Random source for initialization and dropout.</param>
    /// <param name="dtype">Parameter dtype.</param>
    /// <exception cref="ArgumentException">Unknown activation or bad sizes.</exception>
    public TransformerEncoderLayer(int dModel, int nhead, int dimFeedforward = 2048, double dropout = 0.1, string activation = "relu",
        double layerNormEps = 1e-5, bool batchFirst = false, bool normFirst = false, Generator? generator = null, DType dtype = DType.Float32)
    {
        Activation = TransformerHelpers.CheckActivation(activation);
        NormFirst = normFirst;
        var g = generator ?? Generator.Default;
        SelfAttn = RegisterModule("self_attn", new MultiheadAttention(dModel, nhead, dropout, batchFirst: batchFirst, generator: g, dtype: dtype));
        Linear1 = RegisterModule("linear1", new Linear(dModel, dimFeedforward, generator: g, dtype: dtype));
        _dropout = RegisterModule("dropout", new Dropout(dropout, generator));
        Linear2 = RegisterModule("linear2", new Linear(dimFeedforward, dModel, generator: g, dtype: dtype));
        Norm1 = RegisterModule("norm1", new LayerNorm(dModel, layerNormEps, dtype: dtype));
        Norm2 = RegisterModule("norm2", new LayerNorm(dModel, layerNormEps, dtype: dtype));
        _dropout1 = RegisterModule("dropout1", new Dropout(dropout, generator));
        _dropout2 = RegisterModule("dropout2", new Dropout(dropout, generator));
    }

    /// <summary>Encodes [L, N, E] (or [N, L, E] batch-first) without masks.</summary>
    public override Tensor Forward(Tensor input) => Forward(input, null, null);

    /// <summary>Encodes a sequence.</summary>
    /// <param name="src">[L, N, E] (or batch-first).</param>
    /// <param name="srcMask">[L, L] or [N·heads, L, L] attention mask (boolean Int64: nonzero = not allowed; or additive float).</param>
    /// <param name="srcKeyPaddingMask">[N, L] padding mask (nonzero = padding).</param>
    /// <param name="causal">Mask future positions.</param>
    public Tensor Forward(Tensor src, Tensor? srcMask, Tensor? srcKeyPaddingMask, bool causal = false)
    {
        var x = src;
        if (NormFirst)
        {
            x = x.Add(SelfAttentionBlock(Norm1.Forward(x), srcMask, srcKeyPaddingMask, causal));
            return x.Add(FeedForwardBlock(Norm2.Forward(x)));
        }
        x = Norm1.Forward(x.Add(SelfAttentionBlock(x, srcMask, srcKeyPaddingMask, causal)));
        return Norm2.Forward(x.Add(FeedForwardBlock(x)));
    }

    private Tensor SelfAttentionBlock(Tensor x, Tensor? mask, Tensor? padding, bool causal) =>
        _dropout1.Forward(SelfAttn.Forward(x, x, x, padding, needWeights: false, attnMask: mask, causal: causal).Output);

    private Tensor FeedForwardBlock(Tensor x) =>
        _dropout2.Forward(Linear2.Forward(_dropout.Forward(TransformerHelpers.Activate(Activation, Linear1.Forward(x)))));

    /// <inheritdoc/>
    protected override string Describe() => $"TransformerEncoderLayer(norm_first={NormFirst}, activation={Activation})";
}

/// <summary>Shared bits of the Transformer layers.</summary>
internal static class TransformerHelpers
{
    public static string CheckActivation(string activation) => activation switch
    {
        "relu" or "gelu" => activation,
        _ => throw new ArgumentException($"activation must be \"relu\" or \"gelu\", got \"{activation}\".", nameof(activation)),
    };

    public static Tensor Activate(string activation, Tensor x) => activation == "relu" ? F.Relu(x) : F.Gelu(x);
}
