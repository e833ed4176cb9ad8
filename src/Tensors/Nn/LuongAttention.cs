namespace MLNetDeep.Tensors.Nn;

/// <summary>Score function of <see cref="LuongAttention"/>.</summary>
public enum LuongScore
{
    /// <summary>score = qᵀ·k (query and key sizes equal; no parameters).</summary>
    Dot,

    /// <summary>score = (W·q)ᵀ·k with W [keySize, querySize] (parameter "attn.weight").</summary>
    General,

    /// <summary>score = vᵀ·tanh(W·[q; k]) ("attn": Linear q+k → attn, no bias; "v": Linear attn → 1, no bias).</summary>
    Concat,
}

/// <summary>
/// Multiplicative (Luong) attention for seq2seq decoders with the dot, general and concat scores:
/// query [B, Hq], keys [B, S, Hk] → context [B, Hk] and weights [B, S]; masked source positions get zero weight.
/// </summary>
public sealed class LuongAttention : Module
{
    private readonly int _querySize, _keySize;

    /// <summary>The score function.</summary>
    public LuongScore Score { get; }

    /// <summary>W of the general/concat scores, or null for dot.</summary>
    public Linear? Attn { get; }

    /// <summary>v of the concat score, or null.</summary>
    public Linear? V { get; }

    /// <summary>Creates the layer.</summary>
    /// <param name="querySize">Decoder state size.</param>
    /// <param name="score">Score function.</param>
    /// <param name="keySize">Encoder output size (default: <paramref name="querySize"/>; must equal it for dot).</param>
    /// <param name="attentionSize">Hidden size of the concat score (default: <paramref name="querySize"/>).</param>
    /// <param name="generator">Random source for the initialization.</param>
    /// <param name="dtype">Parameter dtype.</param>
    /// <exception cref="ArgumentException">Dot with different query and key sizes.</exception>
    public LuongAttention(int querySize, LuongScore score = LuongScore.General, int? keySize = null, int? attentionSize = null,
        Generator? generator = null, DType dtype = DType.Float32)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(querySize, 1);
        _querySize = querySize;
        _keySize = keySize ?? querySize;
        Score = score;
        var g = generator ?? Generator.Default;
        switch (score)
        {
            case LuongScore.Dot:
                if (_keySize != querySize) throw new ArgumentException($"the dot score needs keySize ({_keySize}) == querySize ({querySize}).", nameof(keySize));
                break;
            case LuongScore.General:
                Attn = RegisterModule("attn", new Linear(querySize, _keySize, bias: false, generator: g, dtype: dtype));
                break;
            case LuongScore.Concat:
                int a = attentionSize ?? querySize;
                Attn = RegisterModule("attn", new Linear(querySize + _keySize, a, bias: false, generator: g, dtype: dtype));
                V = RegisterModule("v", new Linear(a, 1, bias: false, generator: g, dtype: dtype));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(score), score, "Unknown Luong score.");
        }
    }

    /// <summary>Attends from each query to its source sequence.</summary>
    /// <param name="query">Decoder state [B, querySize].</param>
    /// <param name="keys">Encoder outputs [B, S, keySize] (also the values).</param>
    /// <param name="sourceMask">Optional [B, S] mask: boolean Int64 (nonzero = padding) or additive float.</param>
    /// <returns>Context [B, keySize] and weights [B, S].</returns>
    public (Tensor Context, Tensor Weights) Forward(Tensor query, Tensor keys, Tensor? sourceMask = null)
    {
        Seq2SeqAttention.Check(query, keys, sourceMask, _querySize, _keySize);
        Tensor scores;
        switch (Score)
        {
            case LuongScore.Dot:
                scores = keys.MatMul(query.Unsqueeze(-1)).Squeeze(-1);
                break;
            case LuongScore.General:
                scores = keys.MatMul(Attn!.Forward(query).Unsqueeze(-1)).Squeeze(-1);
                break;
            default:
                int s = keys.Dims[1];
                var q = query.Unsqueeze(1).Expand(query.Dims[0], s, _querySize);
                scores = V!.Forward(Attn!.Forward(Tensor.Cat([q, keys], -1)).Tanh()).Squeeze(-1);
                break;
        }
        return Seq2SeqAttention.Attend(scores, keys, sourceMask);
    }

    /// <inheritdoc/>
    protected override string Describe() => $"LuongAttention(score={Score})";
}
