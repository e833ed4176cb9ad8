namespace MLNetDeep.Tensors.Nn;

/// <summary>
/// One Transformer decoder layer as torch.nn.TransformerDecoderLayer: masked self-attention,
/// cross-attention to the encoder output (memory), then the feed-forward block; each block has dropout,
/// a residual and LayerNorm (post-norm by default, pre-norm with <see cref="NormFirst"/>). Child names
/// match torch ("self_attn", "multihead_attn", "linear1", "linear2", "norm1".."norm3").
/// </summary>
public sealed class TransformerDecoderLayer : Module
{
    private readonly Dropout _dropout, _dropout1, _dropout2, _dropout3;

    /// <summary>Self-attention over the target.</summary>
    public MultiheadAttention SelfAttn { get; }

    /// <summary>Cross-attention from the target to the memory.</summary>
    public MultiheadAttention MultiheadAttn { get; }

    /// <summary>First feed-forward projection.</summary>
    public Linear Linear1 { get; }

    /// <summary>Second feed-forward projection.</summary>
    public Linear Linear2 { get; }

    /// <summary>Norm of the self-attention block.</summary>
    public LayerNorm Norm1 { get; }

    /// <summary>Norm of the cross-attention block.</summary>
    public LayerNorm Norm2 { get; }

    /// <summary>Norm of the feed-forward block.</summary>
    public LayerNorm Norm3 { get; }

    /// <summary>Whether LayerNorm comes before each block (pre-norm).</summary>
    public bool NormFirst { get; }

    /// <summary>Feed-forward activation: "relu" or "gelu".</summary>
    public string Activation { get; }

    /// <summary>Creates the layer (arguments as <see cref="TransformerEncoderLayer"/>).</summary>
    /// <param name="dModel">Model size.</param>
    /// <param name="nhead">Number of heads.</param>
    /// <param name="dimFeedforward">Feed-forward hidden size.</param>
    /// <param name="dropout">Dropout probability.</param>
    /// <param name="activation">"relu" or "gelu".</param>
    /// <param name="layerNormEps">LayerNorm eps.</param>
    /// <param name="batchFirst">Whether inputs are [N, L, E].</param>
    /// <param name="normFirst">Pre-norm instead of post-norm.</param>
    /// <param name="generator">Random source for initialization and dropout.</param>
    /// <param name="dtype">Parameter dtype.</param>
    public TransformerDecoderLayer(int dModel, int nhead, int dimFeedforward = 2048, double dropout = 0.1, string activation = "relu",
        double layerNormEps = 1e-5, bool batchFirst = false, bool normFirst = false, Generator? generator = null, DType dtype = DType.Float32)
    {
        Activation = TransformerHelpers.CheckActivation(activation);
        NormFirst = normFirst;
        var g = generator ?? Generator.Default;
        SelfAttn = RegisterModule("self_attn", new MultiheadAttention(dModel, nhead, dropout, batchFirst: batchFirst, generator: g, dtype: dtype));
        MultiheadAttn = RegisterModule("multihead_attn", new MultiheadAttention(dModel, nhead, dropout, batchFirst: batchFirst, generator: g, dtype: dtype));
        Linear1 = RegisterModule("linear1", new Linear(dModel, dimFeedforward, generator: g, dtype: dtype));
        _dropout = RegisterModule("dropout", new Dropout(dropout, generator));
        Linear2 = RegisterModule("linear2", new Linear(dimFeedforward, dModel, generator: g, dtype: dtype));
        Norm1 = RegisterModule("norm1", new LayerNorm(dModel, layerNormEps, dtype: dtype));
        Norm2 = RegisterModule("norm2", new LayerNorm(dModel, layerNormEps, dtype: dtype));
        Norm3 = RegisterModule("norm3", new LayerNorm(dModel, layerNormEps, dtype: dtype));
        _dropout1 = RegisterModule("dropout1", new Dropout(dropout, generator));
        _dropout2 = RegisterModule("dropout2", new Dropout(dropout, generator));
        _dropout3 = RegisterModule("dropout3", new Dropout(dropout, generator));
    }

    /// <summary>Decodes <paramref name="tgt"/> attending to <paramref name="memory"/>.</summary>
    /// <param name="tgt">[T, N, E] (or batch-first).</param>
    /// <param name="memory">[S, N, E] (or batch-first).</param>
    /// <param name="tgtMask">[T, T] self-attention mask (boolean Int64: nonzero = not allowed; or additive float).</param>
    /// <param name="memoryMask">[T, S] cross-attention mask.</param>
    /// <param name="tgtKeyPaddingMask">[N, T] target padding mask.</param>
    /// <param name="memoryKeyPaddingMask">[N, S] memory padding mask.</param>
    /// <param name="tgtIsCausal">Mask future target positions (no mask tensor needed).</param>
    public Tensor Forward(Tensor tgt, Tensor memory, Tensor? tgtMask = null, Tensor? memoryMask = null,
        Tensor? tgtKeyPaddingMask = null, Tensor? memoryKeyPaddingMask = null, bool tgtIsCausal = false)
    {
        var x = tgt;
        if (NormFirst)
        {
            x = x.Add(SelfBlock(Norm1.Forward(x), tgtMask, tgtKeyPaddingMask, tgtIsCausal));
            x = x.Add(CrossBlock(Norm2.Forward(x), memory, memoryMask, memoryKeyPaddingMask));
            return x.Add(FeedForwardBlock(Norm3.Forward(x)));
        }
        x = Norm1.Forward(x.Add(SelfBlock(x, tgtMask, tgtKeyPaddingMask, tgtIsCausal)));
        x = Norm2.Forward(x.Add(CrossBlock(x, memory, memoryMask, memoryKeyPaddingMask)));
        return Norm3.Forward(x.Add(FeedForwardBlock(x)));
    }

    private Tensor SelfBlock(Tensor x, Tensor? mask, Tensor? padding, bool causal) =>
        _dropout1.Forward(SelfAttn.Forward(x, x, x, padding, needWeights: false, attnMask: mask, causal: causal).Output);

    private Tensor CrossBlock(Tensor x, Tensor memory, Tensor? mask, Tensor? padding) =>
        _dropout2.Forward(MultiheadAttn.Forward(x, memory, memory, padding, needWeights: false, attnMask: mask).Output);

    private Tensor FeedForwardBlock(Tensor x) =>
        _dropout3.Forward(Linear2.Forward(_dropout.Forward(TransformerHelpers.Activate(Activation, Linear1.Forward(x)))));

    /// <inheritdoc/>
    protected override string Describe() => $"TransformerDecoderLayer(norm_first={NormFirst}, activation={Activation})";
}
