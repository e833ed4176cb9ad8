namespace MLNetDeep.Estimators.Sequence;

/// <summary>Options shared by the sequence classifier and the next-word predictor (ML.NET naming).</summary>
public abstract class SequenceModelOptions
{
    /// <summary>Token ids column: Vector&lt;Key&gt; (tokenize, then MapValueToKey; an UnknownToken is advised). Key 0 reads as a zero embedding; trailing zeros are padding.</summary>
    public string TokensColumnName { get; set; } = "Tokens";

    /// <summary>Output column with the probabilities (Vector&lt;Single&gt;).</summary>
    public string ScoreColumnName { get; set; } = "Score";

    /// <summary>Output column with the most probable key.</summary>
    public string PredictedLabelColumnName { get; set; } = "PredictedLabel";

    /// <summary>Embedding width (must equal <see cref="InitialEmbeddings"/>' dimension when that is set).</summary>
    public int EmbeddingDimension { get; set; } = 64;

    /// <summary>Word vectors to start the embedding from (e.g. a fitted Word2Vec model's); null: random.</summary>
    public InitialEmbeddings? InitialEmbeddings { get; set; }

    /// <summary>Whether the embedding is trained (false keeps <see cref="InitialEmbeddings"/> fixed).</summary>
    public bool TrainEmbeddings { get; set; } = true;

    /// <summary>The recurrent cell.</summary>
    public SequenceCellType Cell { get; set; } = SequenceCellType.Gru;

    /// <summary>State width of each recurrent layer (per direction).</summary>
    public int HiddenSize { get; set; } = 64;

    /// <summary>Stacked recurrent layers.</summary>
    public int NumberOfLayers { get; set; } = 1;

    /// <summary>Adds a backward direction (outputs concatenated).</summary>
    public bool Bidirectional { get; set; }

    /// <summary>How step outputs become one vector.</summary>
    public SequencePooling Pooling { get; set; } = SequencePooling.Last;

    /// <summary>Dropout probability between recurrent layers and on the pooled vector, in training.</summary>
    public double Dropout { get; set; }

    /// <summary>Rows per optimizer step.</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>Passes over the training data.</summary>
    public int NumberOfEpochs { get; set; } = 5;

    /// <summary>Adam learning rate.</summary>
    public double LearningRate { get; set; } = 0.005;

    /// <summary>Clips the gradient's global L2 norm to this value before each step (0: no clipping).</summary>
    public double GradientClipNorm { get; set; } = 5;

    /// <summary>Seed for initial weights, dropout and shuffling; null: drawn from the context.</summary>
    public int? Seed { get; set; }

    /// <summary>Receives progress after every <see cref="ProgressInterval"/> steps and at each epoch end.</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>Steps between progress reports (0: epoch ends only).</summary>
    public int ProgressInterval { get; set; } = 50;

    /// <summary>Stops training (throws <see cref="OperationCanceledException"/>) between steps.</summary>
    public CancellationToken CancellationToken { get; set; }

    internal virtual void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(TokensColumnName, nameof(TokensColumnName));
        ArgumentException.ThrowIfNullOrEmpty(ScoreColumnName, nameof(ScoreColumnName));
        ArgumentException.ThrowIfNullOrEmpty(PredictedLabelColumnName, nameof(PredictedLabelColumnName));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(EmbeddingDimension, nameof(EmbeddingDimension));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(HiddenSize, nameof(HiddenSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(NumberOfLayers, nameof(NumberOfLayers));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchSize, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(NumberOfEpochs, nameof(NumberOfEpochs));
        ArgumentOutOfRangeException.ThrowIfNegative(ProgressInterval, nameof(ProgressInterval));
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "Must be positive.");
        if (!(Dropout >= 0 && Dropout < 1)) throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout, "Must be in [0, 1).");
        if (!(GradientClipNorm >= 0)) throw new ArgumentOutOfRangeException(nameof(GradientClipNorm), GradientClipNorm, "Must be non-negative.");
        if (InitialEmbeddings is not null && InitialEmbeddings.Dimension != EmbeddingDimension)
            throw new ArgumentException($"InitialEmbeddings has dimension {InitialEmbeddings.Dimension} but EmbeddingDimension is {EmbeddingDimension}.", nameof(InitialEmbeddings));
        if (!TrainEmbeddings && InitialEmbeddings is null)
            throw new ArgumentException("TrainEmbeddings = false needs InitialEmbeddings (a frozen random embedding is pointless).", nameof(TrainEmbeddings));
    }

    internal SequenceNetwork CreateNetwork(int vocabulary, int outputs, int seed) =>
        new(vocabulary, EmbeddingDimension, Cell, HiddenSize, NumberOfLayers, Bidirectional, Pooling, Dropout, outputs, new Tensors.Generator((ulong)seed));
}
