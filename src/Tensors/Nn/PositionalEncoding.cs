namespace MLNetDeep.Tensors.Nn;

/// <summary>
/// Sinusoidal positional encoding ("Attention is all you need"): PE[pos, 2i] = sin(pos/10000^(2i/d)),
/// PE[pos, 2i+1] = cos(pos/10000^(2i/d)), added to the input, then dropout. The table is a
/// non-persistent buffer "pe" [maxLen, d] (not in the state dict).
/// </summary>
public sealed class SinusoidalPositionalEncoding : Module<Tensor, Tensor>
{
    private readonly Dropout _dropout;

    /// <summary>The table [maxLen, d].</summary>
    public Tensor Table { get; }

    /// <summary>Whether inputs are [N, L, d] rather than [L, N, d].</summary>
    public bool BatchFirst { get; }

    /// <summary>Creates the encoding.</summary>
    /// <param name="dModel">Feature size d (≥ 1).</param>
    /// <param name="maxLen">Longest supported sequence.</param>
    /// <param name="dropout">Dropout probability after the addition.</param>
    /// <param name="batchFirst">Whether inputs are [N, L, d].</param>
    /// <param name="dtype">Table dtype.</param>
    public SinusoidalPositionalEncoding(int dModel, int maxLen = 5000, double dropout = 0, bool batchFirst = false, DType dtype = DType.Float32)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dModel, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLen, 1);
        BatchFirst = batchFirst;
        Table = RegisterBuffer("pe", Build(maxLen, dModel).To(dtype), persistent: false);
        _dropout = RegisterModule("dropout", new Dropout(dropout));
    }

    /// <summary>The [maxLen, d] sinusoid table in float64.</summary>
    /// <param name="maxLen">Number of positions.</param>
    /// <param name="dModel">Feature size.</param>
    public static Tensor Build(int maxLen, int dModel)
    {
        var pe = new double[maxLen * dModel];
        for (int pos = 0; pos < maxLen; pos++)
            for (int i = 0; i < dModel; i++)
            {
                double angle = pos / Math.Pow(10000.0, (i - i % 2) / (double)dModel);
                pe[pos * dModel + i] = i % 2 == 0 ? Math.Sin(angle) : Math.Cos(angle);
            }
        return Tensor.FromArray(pe, maxLen, dModel);
    }

    /// <summary>Adds the first L rows of the table to [L, N, d] (or [N, L, d]).</summary>
    /// <exception cref="ArgumentException">The sequence is longer than the table or d differs.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 3 || input.Dims[2] != Table.Dims[1])
            throw new ArgumentException($"input must be [L, N, {Table.Dims[1]}] (or batch-first), got {ShapeUtil.Format(input.Dims)}.", nameof(input));
        int l = BatchFirst ? input.Dims[1] : input.Dims[0];
        if (l > Table.Dims[0]) throw new ArgumentException($"input length {l} exceeds maxLen {Table.Dims[0]}.", nameof(input));
        var rows = Table.Narrow(0, 0, l);
        return _dropout.Forward(input.Add(BatchFirst ? rows : rows.Unsqueeze(1)));
    }
}

/// <summary>
/// Learned positional embedding: a trainable table "weight" [maxLen, d] (initialized N(0, 1) like
/// Embedding) whose first L rows are added to the input.
/// </summary>
public sealed class LearnedPositionalEmbedding : Module<Tensor, Tensor>
{
    /// <summary>The table [maxLen, d] (parameter "weight").</summary>
    public Tensor Weight { get; }

    /// <summary>Whether inputs are [N, L, d].</summary>
    public bool BatchFirst { get; }

    /// <summary>Creates the embedding.</summary>
    /// <param name="maxLen">Longest supported sequence.</param>
    /// <param name="dModel">Feature size.</param>
    /// <param name="batchFirst">Whether inputs are [N, L, d].</param>
    /// <param name="generator">Random source for the initialization.</param>
    /// <param name="dtype">Parameter dtype.</param>
    public LearnedPositionalEmbedding(int maxLen, int dModel, bool batchFirst = false, Generator? generator = null, DType dtype = DType.Float32)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLen, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dModel, 1);
        BatchFirst = batchFirst;
        Weight = RegisterParameter("weight", Init.Normal(Tensor.Zeros([maxLen, dModel], dtype), generator: generator ?? Generator.Default));
    }

    /// <summary>Adds the first L rows of the table to [L, N, d] (or [N, L, d]); only those rows get gradient.</summary>
    /// <exception cref="ArgumentException">The sequence is longer than the table or d differs.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 3 || input.Dims[2] != Weight.Dims[1])
            throw new ArgumentException($"input must be [L, N, {Weight.Dims[1]}] (or batch-first), got {ShapeUtil.Format(input.Dims)}.", nameof(input));
        int l = BatchFirst ? input.Dims[1] : input.Dims[0];
        if (l > Weight.Dims[0]) throw new ArgumentException($"input length {l} exceeds maxLen {Weight.Dims[0]}.", nameof(input));
        var rows = Weight.Narrow(0, 0, l);
        return input.Add(BatchFirst ? rows : rows.Unsqueeze(1));
    }
}
