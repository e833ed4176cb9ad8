namespace MLNetDeep.Tensors.Nn;

/// <summary>
/// Multi-head attention with torch.nn.MultiheadAttention's parameters, names and semantics:
/// "in_proj_weight" [3E, E] and "in_proj_bias" [3E] when key and value have the embedding size
/// (else "q_proj_weight" [E, E], "k_proj_weight" [E, kdim], "v_proj_weight" [E, vdim]), and "out_proj"
/// (a Linear E → E). Inputs are [L, N, E] (or [N, L, E] with <see cref="BatchFirst"/>, or unbatched
/// [L, E]). Masks: boolean masks are Int64 tensors, nonzero where attention is not allowed (torch's bool
/// True); float masks are added to the scores. Heads are split and merged as strided views: the fused
/// attention kernel reads the projections in place and writes the merged layout directly.
/// </summary>
public sealed class MultiheadAttention : Module
{
    /// <summary>Model (query) size E.</summary>
    public int EmbedDim { get; }

    /// <summary>Number of heads; E must be divisible by it.</summary>
    public int NumHeads { get; }

    /// <summary>Per-head size E / heads.</summary>
    public int HeadDim { get; }

    /// <summary>Key feature size.</summary>
    public int KDim { get; }

    /// <summary>Value feature size.</summary>
    public int VDim { get; }

    /// <summary>Dropout probability on the attention weights (training mode only).</summary>
    public double Dropout { get; }

    /// <summary>Whether inputs are [N, L, E] rather than [L, N, E].</summary>
    public bool BatchFirst { get; }

    /// <summary>Packed q/k/v projection [3E, E] (parameter "in_proj_weight"), or null when kdim/vdim differ from E.</summary>
    public Tensor? InProjWeight { get; }

    /// <summary>Query projection [E, E] ("q_proj_weight") when kdim/vdim differ from E.</summary>
    public Tensor? QProjWeight { get; }

    /// <summary>Key projection [E, kdim] ("k_proj_weight") when kdim/vdim differ from E.</summary>
    public Tensor? KProjWeight { get; }

    /// <summary>Value projection [E, vdim] ("v_proj_weight") when kdim/vdim differ from E.</summary>
    public Tensor? VProjWeight { get; }

    /// <summary>Packed q/k/v bias [3E] ("in_proj_bias"), or null without bias.</summary>
    public Tensor? InProjBias { get; }

    /// <summary>Output projection E → E ("out_proj").</summary>
    public Linear OutProj { get; }

    private readonly Generator? _generator;

    /// <summary>Creates the layer with torch's initialization (Xavier-uniform projections, zero biases).</summary>
    /// <param name="embedDim">Model size E.</param>
    /// <param name="numHeads">Number of heads (must divide E).</param>
    /// <param name="dropout">Attention-weight dropout probability.</param>
    /// <param name="bias">Whether the projections have biases.</param>
    /// <param name="kdim">Key feature size (default E).</param>
    /// <param name="vdim">Value feature size (default E).</param>
    /// <param name="batchFirst">Whether inputs are [N, L, E].</param>
    /// <param name="generator">Random source for initialization and dropout.</param>
    /// <param name="dtype">Parameter dtype.</param>
    /// <exception cref="ArgumentException"><paramref name="embedDim"/> is not divisible by <paramref name="numHeads"/>.</exception>
    public MultiheadAttention(int embedDim, int numHeads, double dropout = 0, bool bias = true, int? kdim = null, int? vdim = null,
        bool batchFirst = false, Generator? generator = null, DType dtype = DType.Float32)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(embedDim, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(numHeads, 1);
        if (embedDim % numHeads != 0)
            throw new ArgumentException($"embedDim ({embedDim}) must be divisible by numHeads ({numHeads}).", nameof(numHeads));
        if (!(dropout >= 0 && dropout <= 1)) throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "Dropout probability must be in [0, 1].");
        EmbedDim = embedDim;
        NumHeads = numHeads;
        HeadDim = embedDim / numHeads;
        KDim = kdim ?? embedDim;
        VDim = vdim ?? embedDim;
        ArgumentOutOfRangeException.ThrowIfLessThan(KDim, 1, nameof(kdim));
        ArgumentOutOfRangeException.ThrowIfLessThan(VDim, 1, nameof(vdim));
        Dropout = dropout;
        BatchFirst = batchFirst;
        _generator = generator;
        var g = generator ?? Generator.Default;
        if (KDim == embedDim && VDim == embedDim)
            InProjWeight = RegisterParameter("in_proj_weight", Init.XavierUniform(Tensor.Zeros([3 * embedDim, embedDim], dtype), generator: g));
        else
        {
            QProjWeight = RegisterParameter("q_proj_weight", Init.XavierUniform(Tensor.Zeros([embedDim, embedDim], dtype), generator: g));
            KProjWeight = RegisterParameter("k_proj_weight", Init.XavierUniform(Tensor.Zeros([embedDim, KDim], dtype), generator: g));
            VProjWeight = RegisterParameter("v_proj_weight", Init.XavierUniform(Tensor.Zeros([embedDim, VDim], dtype), generator: g));
        }
        if (bias) InProjBias = RegisterParameter("in_proj_bias", Tensor.Zeros([3 * embedDim], dtype));
        OutProj = RegisterModule("out_proj", new Linear(embedDim, embedDim, bias, g, dtype));
        if (OutProj.Bias is not null) Init.Zeros(OutProj.Bias);
    }

    /// <summary>
    /// Attends from <paramref name="query"/> to <paramref name="key"/>/<paramref name="value"/>.
    /// Returns the output (shaped like the query, with E features) and, with <paramref name="needWeights"/>,
    /// the attention weights [N, L, S] (averaged over heads) or [N, heads, L, S].
    /// </summary>
    /// <param name="query">[L, N, E] ([N, L, E] batch-first, or unbatched [L, E]).</param>
    /// <param name="key">[S, N, kdim] (likewise).</param>
    /// <param name="value">[S, N, vdim] (likewise).</param>
    /// <param name="keyPaddingMask">[N, S] (unbatched: [S]); boolean (nonzero = padding, ignored) or additive float.</param>
    /// <param name="needWeights">Whether to return the attention weights (computed by the composed path).</param>
    /// <param name="attnMask">[L, S] or [N·heads, L, S]; boolean (nonzero = not allowed) or additive float.</param>
    /// <param name="averageAttnWeights">Average the returned weights over heads.</param>
    /// <param name="causal">Also mask keys after each query position (j &gt; i).</param>
    /// <exception cref="ArgumentException">An input or mask has the wrong shape; the message names it.</exception>
    public (Tensor Output, Tensor? Weights) Forward(Tensor query, Tensor key, Tensor value, Tensor? keyPaddingMask = null,
        bool needWeights = true, Tensor? attnMask = null, bool averageAttnWeights = true, bool causal = false)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        if (query.Rank == 2)
        {
            int bd = BatchFirst ? 0 : 1;
            if (key.Rank != 2) throw new ArgumentException($"key must be unbatched [S, kdim] like the query, got {ShapeUtil.Format(key.Dims)}.", nameof(key));
            if (value.Rank != 2) throw new ArgumentException($"value must be unbatched [S, vdim] like the query, got {ShapeUtil.Format(value.Dims)}.", nameof(value));
            var (o, w) = Forward(query.Unsqueeze(bd), key.Unsqueeze(bd), value.Unsqueeze(bd), keyPaddingMask?.Unsqueeze(0), needWeights,
                attnMask, averageAttnWeights, causal);
            return (o.Squeeze(bd), w?.Squeeze(0));
        }
        if (query.Rank != 3 || query.Dims[2] != EmbedDim)
            throw new ArgumentException($"query must be [L, N, {EmbedDim}] (or batch-first), got {ShapeUtil.Format(query.Dims)}.", nameof(query));
        int n = BatchFirst ? query.Dims[0] : query.Dims[1], l = BatchFirst ? query.Dims[1] : query.Dims[0];
        if (key.Rank != 3 || key.Dims[2] != KDim || key.Dims[BatchFirst ? 0 : 1] != n)
            throw new ArgumentException($"key must be [S, {n}, {KDim}] (or batch-first), got {ShapeUtil.Format(key.Dims)}.", nameof(key));
        int s = BatchFirst ? key.Dims[1] : key.Dims[0];
        if (value.Rank != 3 || value.Dims[2] != VDim || value.Dims[BatchFirst ? 0 : 1] != n || value.Dims[BatchFirst ? 1 : 0] != s)
            throw new ArgumentException($"value must be [{s}, {n}, {VDim}] (or batch-first) like key, got {ShapeUtil.Format(value.Dims)}.", nameof(value));
        var mask = CombineMasks(keyPaddingMask, attnMask, n, l, s, query.DType);

        int e = EmbedDim;
        var q = F.Linear(query, QProjWeight ?? InProjWeight!.Slice(0, 0, e), InProjBias?.Slice(0, 0, e));
        var k = F.Linear(key, KProjWeight ?? InProjWeight!.Slice(0, e, 2 * e), InProjBias?.Slice(0, e, 2 * e));
        var v = F.Linear(value, VProjWeight ?? InProjWeight!.Slice(0, 2 * e, 3 * e), InProjBias?.Slice(0, 2 * e, 3 * e));
        var q4 = SplitHeads(q); var k4 = SplitHeads(k); var v4 = SplitHeads(v);
        double scale = 1 / Math.Sqrt(HeadDim);

        Tensor merged;
        Tensor? weights = null;
        if (needWeights || (IsTraining && Dropout > 0))
        {
            var (o4, w4) = F.ComposedAttention(q4, k4, v4, mask, causal, scale, Dropout, IsTraining, _generator);
            merged = MergeHeads(o4).Contiguous();
            if (needWeights) weights = averageAttnWeights ? w4.Mean(1) : w4;
        }
        else
            merged = MergeHeads(F.AttentionCore(q4, k4, v4, mask, causal, scale, BatchFirst ? [0, 2, 1, 3] : [2, 0, 1, 3]));
        return (OutProj.Forward(merged.Reshape(BatchFirst ? [n, l, e] : [l, n, e])), weights);
    }

    /// <summary>Self-attention shorthand: Forward(x, x, x) without weights.</summary>
    /// <param name="x">[L, N, E] (or batch-first).</param>
    /// <param name="keyPaddingMask">[N, L] padding mask.</param>
    /// <param name="attnMask">[L, L] or [N·heads, L, L] mask.</param>
    /// <param name="causal">Mask future positions.</param>
    public Tensor SelfAttention(Tensor x, Tensor? keyPaddingMask = null, Tensor? attnMask = null, bool causal = false) =>
        Forward(x, x, x, keyPaddingMask, needWeights: false, attnMask, causal: causal).Output;

    /// <summary>[L, N, E] or [N, L, E] → [N, heads, L, headDim] as a view.</summary>
    private Tensor SplitHeads(Tensor t)
    {
        int a = t.Dims[0], b = t.Dims[1];
        var r = t.Reshape(a, b, NumHeads, HeadDim);
        return BatchFirst ? r.Permute(0, 2, 1, 3) : r.Permute(1, 2, 0, 3);
    }

    /// <summary>[N, heads, L, headDim] → [N, L, heads, headDim] or [L, N, heads, headDim] (a view).</summary>
    private Tensor MergeHeads(Tensor o4) => BatchFirst ? o4.Permute(0, 2, 1, 3) : o4.Permute(2, 0, 1, 3);

    /// <summary>The key-padding and attention masks as one additive mask broadcastable to [N, heads, L, S], or null.</summary>
    private Tensor? CombineMasks(Tensor? keyPaddingMask, Tensor? attnMask, int n, int l, int s, DType dtype)
    {
        Tensor? mask = null;
        if (attnMask is not null)
        {
            if (attnMask.Rank == 2 && attnMask.Dims[0] == l && attnMask.Dims[1] == s)
                mask = F.ToAdditiveMask(attnMask, dtype).Reshape(1, 1, l, s);
            else if (attnMask.Rank == 3 && attnMask.Dims[0] == n * NumHeads && attnMask.Dims[1] == l && attnMask.Dims[2] == s)
                mask = F.ToAdditiveMask(attnMask, dtype).Reshape(n, NumHeads, l, s);
            else
                throw new ArgumentException($"attnMask must be [{l}, {s}] or [{n * NumHeads}, {l}, {s}], got {ShapeUtil.Format(attnMask.Dims)}.", nameof(attnMask));
        }
        if (keyPaddingMask is not null)
        {
            if (keyPaddingMask.Rank != 2 || keyPaddingMask.Dims[0] != n || keyPaddingMask.Dims[1] != s)
                throw new ArgumentException($"keyPaddingMask must be [{n}, {s}], got {ShapeUtil.Format(keyPaddingMask.Dims)}.", nameof(keyPaddingMask));
            var kpm = F.ToAdditiveMask(keyPaddingMask, dtype).Reshape(n, 1, 1, s);
            mask = mask is null ? kpm : mask.Add(kpm);
        }
        return mask;
    }

    /// <inheritdoc/>
    protected override string Describe() => $"MultiheadAttention(embed_dim={EmbedDim}, num_heads={NumHeads}, dropout={Dropout}, batch_first={BatchFirst})";
}
