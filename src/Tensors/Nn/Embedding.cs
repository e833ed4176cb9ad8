namespace MLNetDeep.Tensors.Nn;

/// <summary>
/// Lookup table mapping int64 ids to rows of a learned [num, dim] weight, initialized N(0, 1).
/// The optional padding row starts at zero and never receives a gradient.
/// </summary>
public sealed class Embedding : Module<Tensor, Tensor>
{
    /// <summary>Number of rows (vocabulary size).</summary>
    public int NumEmbeddings { get; }

    /// <summary>Width of each row.</summary>
    public int EmbeddingDim { get; }

    /// <summary>The padding id (normalized to be non-negative), or null.</summary>
    public int? PaddingIdx { get; }

    /// <summary>Weight of shape [<see cref="NumEmbeddings"/>, <see cref="EmbeddingDim"/>] (parameter "weight").</summary>
    public Tensor Weight { get; }

    /// <summary>Creates the table and initializes it.</summary>
    /// <param name="numEmbeddings">Number of rows (≥ 1).</param>
    /// <param name="embeddingDim">Row width (≥ 0).</param>
    /// <param name="paddingIdx">Id whose row is zero and gets no gradient; negative values count from the end, as in PyTorch.</param>
    /// <param name="generator">Random source for the initialization (default <see cref="Generator.Default"/>).</param>
    /// <param name="dtype">Weight dtype: Float32 or Float64.</param>
    public Embedding(int numEmbeddings, int embeddingDim, int? paddingIdx = null, Generator? generator = null, DType dtype = DType.Float32)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numEmbeddings, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(embeddingDim);
        if (dtype == DType.Int64) throw new ArgumentException("Embedding weight must be floating-point.", nameof(dtype));
        if (paddingIdx is int p)
        {
            if (p >= numEmbeddings || p < -numEmbeddings)
                throw new ArgumentOutOfRangeException(nameof(paddingIdx), p, $"Padding index must be within [-{numEmbeddings}, {numEmbeddings}).");
            PaddingIdx = p < 0 ? p + numEmbeddings : p;
        }
        NumEmbeddings = numEmbeddings;
        EmbeddingDim = embeddingDim;
        var w = Init.Normal(Tensor.Zeros([numEmbeddings, embeddingDim], dtype), 0, 1, generator);
        if (PaddingIdx is int pad) w.Select(0, pad).FillInPlace(0);
        Weight = RegisterParameter("weight", w);
    }

    /// <summary>Looks up rows: int64 ids of any shape → [..ids, dim].</summary>
    public override Tensor Forward(Tensor input) => F.Embedding(input, Weight, PaddingIdx);

    /// <inheritdoc/>
    protected override string Describe() =>
        $"Embedding({NumEmbeddings}, {EmbeddingDim}{(PaddingIdx is int p ? $", padding_idx={p}" : "")})";
}
