namespace MLNetDeep.Estimators.Text;

/// <summary>Options of the text classifier trainer (ML.NET naming; defaults in <see cref="Defaults"/>).</summary>
public sealed class TextClassifierOptions
{
    /// <summary>Default values of the simple overload.</summary>
    public static class Defaults
    {
        /// <summary>Embedding width.</summary>
        public const int EmbeddingDimension = 32;
        /// <summary>Hidden layer width.</summary>
        public const int HiddenLayerSize = 64;
        /// <summary>Rows per optimizer step.</summary>
        public const int BatchSize = 32;
        /// <summary>Passes over the data.</summary>
        public const int NumberOfEpochs = 10;
        /// <summary>Adam learning rate.</summary>
        public const double LearningRate = 0.01;
    }

    /// <summary>Label column: a Key (from MapValueToKey) whose key values name the classes.</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>Token ids column: Vector&lt;Key&gt; (from MapValueToKey on tokens); key 0 (unknown) tokens are ignored.</summary>
    public string TokensColumnName { get; set; } = "Tokens";

    /// <summary>Output column with class probabilities (Vector&lt;Single, classes&gt;).</summary>
    public string ScoreColumnName { get; set; } = "Score";

    /// <summary>Output column with the most probable class (Key with the label's key values).</summary>
    public string PredictedLabelColumnName { get; set; } = "PredictedLabel";

    /// <summary>Embedding width.</summary>
    public int EmbeddingDimension { get; set; } = Defaults.EmbeddingDimension;

    /// <summary>Hidden layer width of the MLP on the mean embedding.</summary>
    public int HiddenLayerSize { get; set; } = Defaults.HiddenLayerSize;

    /// <summary>Rows per optimizer step.</summary>
    public int BatchSize { get; set; } = Defaults.BatchSize;

    /// <summary>Passes over the training data.</summary>
    public int NumberOfEpochs { get; set; } = Defaults.NumberOfEpochs;

    /// <summary>Adam learning rate.</summary>
    public double LearningRate { get; set; } = Defaults.LearningRate;

    /// <summary>Seed for initial weights and shuffling; null: drawn from the context.</summary>
    public int? Seed { get; set; }

    /// <summary>Rows held by the shuffle pool when the training data is streamed.</summary>
    public int ShufflePoolSize { get; set; } = 10_000;

    /// <summary>Receives progress after every <see cref="ProgressInterval"/> steps and at each epoch end.</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>Steps between progress reports (0: epoch ends only).</summary>
    public int ProgressInterval { get; set; } = 50;

    /// <summary>Stops training (throws <see cref="OperationCanceledException"/>) between steps.</summary>
    public CancellationToken CancellationToken { get; set; }

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(LabelColumnName, nameof(LabelColumnName));
        ArgumentException.ThrowIfNullOrEmpty(TokensColumnName, nameof(TokensColumnName));
        ArgumentException.ThrowIfNullOrEmpty(ScoreColumnName, nameof(ScoreColumnName));
        ArgumentException.ThrowIfNullOrEmpty(PredictedLabelColumnName, nameof(PredictedLabelColumnName));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(EmbeddingDimension, nameof(EmbeddingDimension));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(HiddenLayerSize, nameof(HiddenLayerSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchSize, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(NumberOfEpochs, nameof(NumberOfEpochs));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ShufflePoolSize, nameof(ShufflePoolSize));
        ArgumentOutOfRangeException.ThrowIfNegative(ProgressInterval, nameof(ProgressInterval));
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "Must be positive.");
    }
}
