namespace MLNetDeep.Tensors.Nn;

/// <summary>
/// Additive (Bahdanau) attention for seq2seq decoders: score_j = vᵀ·tanh(W_q·q + W_k·k_j + b),
/// weights = softmax over the source (masked positions excluded), context = Σ_j weight_j·k_j.
/// Parameters: "query_proj" (Linear q → attn, no bias), "key_proj" (Linear k → attn) and "energy"
/// (Linear attn → 1, no bias).
/// </summary>
public sealed class AdditiveAttention : Module
{
    /// <summary>Query projection W_q.</summary>
    public Linear QueryProj { get; }

    /// <summary>Key projection W_k (with the bias b).</summary>
    public Linear KeyProj { get; }

    /// <summary>Energy vector v.</summary>
    public Linear Energy { get; }

    /// <summary>Creates the layer.</summary>
    /// <param name="querySize">Decoder state size.</param>
    /// <param name="keySize">Encoder output size.</param>
    /// <param name="attentionSize">Hidden size of the scoring network (default: <paramref name="querySize"/>).</param>
    /// <param name="generator">Random source for the initialization.</param>
    /// <param name="dtype">Parameter dtype.</param>
    public AdditiveAttention(int querySize, int keySize, int? attentionSize = null, Generator? generator = null, DType dtype = DType.Float32)
    {
        int a = attentionSize ?? querySize;
        var g = generator ?? Generator.Default;
        QueryProj = RegisterModule("query_proj", new Linear(querySize, a, bias: false, generator: g, dtype: dtype));
        KeyProj = RegisterModule("key_proj", new Linear(keySize, a, generator: g, dtype: dtype));
        Energy = RegisterModule("energy", new Linear(a, 1, bias: false, generator: g, dtype: dtype));
    }

    /// <summary>Attends from each query to its source sequence.</summary>
    /// <param name="query">Decoder state [B, querySize].</param>
    /// <param name="keys">Encoder outputs [B, S, keySize] (also the values).</param>
    /// <param name="sourceMask">Optional [B, S] mask: boolean Int64 (nonzero = padding, gets zero weight) or additive float.</param>
    /// <returns>Context [B, keySize] and weights [B, S].</returns>
    /// <exception cref="ArgumentException">Shapes do not fit; the message names the argument.</exception>
    public (Tensor Context, Tensor Weights) Forward(Tensor query, Tensor keys, Tensor? sourceMask = null)
    {
        Seq2SeqAttention.Check(query, keys, sourceMask, QueryProj.InFeatures, KeyProj.InFeatures);
        var hidden = QueryProj.Forward(query).Unsqueeze(1).Add(KeyProj.Forward(keys)).Tanh();
        var scores = Energy.Forward(hidden).Squeeze(-1);
        return Seq2SeqAttention.Attend(scores, keys, sourceMask);
    }
}

/// <summary>Shared checks and the masked softmax + context of the seq2seq attention modules.</summary>
internal static class Seq2SeqAttention
{
    public static void Check(Tensor query, Tensor keys, Tensor? mask, int querySize, int keySize)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(keys);
        if (query.Rank != 2 || query.Dims[1] != querySize)
            throw new ArgumentException($"query must be [B, {querySize}], got {ShapeUtil.Format(query.Dims)}.", nameof(query));
        if (keys.Rank != 3 || keys.Dims[0] != query.Dims[0] || keys.Dims[2] != keySize)
            throw new ArgumentException($"keys must be [{query.Dims[0]}, S, {keySize}], got {ShapeUtil.Format(keys.Dims)}.", nameof(keys));
        if (mask is not null && (mask.Rank != 2 || mask.Dims[0] != keys.Dims[0] || mask.Dims[1] != keys.Dims[1]))
            throw new ArgumentException($"sourceMask must be [{keys.Dims[0]}, {keys.Dims[1]}], got {ShapeUtil.Format(mask.Dims)}.", "sourceMask");
    }

    /// <summary>weights = softmax(scores + mask) over S, context = weights·keys.</summary>
    public static (Tensor Context, Tensor Weights) Attend(Tensor scores, Tensor keys, Tensor? mask)
    {
        if (mask is not null) scores = scores.Add(F.ToAdditiveMask(mask, scores.DType));
        var weights = F.Softmax(scores, -1);
        var context = weights.Unsqueeze(1).MatMul(keys).Squeeze(1);
        return (context, weights);
    }
}
