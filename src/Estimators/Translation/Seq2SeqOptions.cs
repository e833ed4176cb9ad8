using MLNetDeep.Estimators.Vision;

namespace MLNetDeep.Estimators.Translation;

/// <summary>Recurrent cell of the encoder and decoder.</summary>
public enum Seq2SeqCell
{
    /// <summary>Gated recurrent unit.</summary>
    Gru,

    /// <summary>Long short-term memory.</summary>
    Lstm,
}

/// <summary>Attention of the decoder over the encoder outputs.</summary>
public enum Seq2SeqAttentionKind
{
    /// <summary>No attention: the decoder output goes straight to the vocabulary projection.</summary>
    None,

    /// <summary>Luong dot score qᵀk.</summary>
    LuongDot,

    /// <summary>Luong general score (Wq)ᵀk.</summary>
    LuongGeneral,

    /// <summary>Bahdanau additive score vᵀtanh(W_q q + W_k k + b).</summary>
    Bahdanau,
}

/// <summary>
/// Options of the sequence-to-sequence translator (ML.NET naming; defaults in <see cref="Defaults"/>, which are
/// the course's GRU 256/256 model with Luong dot attention, batch 64, Adam 1e-3, gradient clipping 5).
/// </summary>
public sealed class Seq2SeqOptions
{
    /// <summary>Default values of the simple overload.</summary>
    public static class Defaults
    {
        /// <summary>Embedding width.</summary>
        public const int EmbeddingDimension = 256;
        /// <summary>Recurrent state width.</summary>
        public const int HiddenSize = 256;
        /// <summary>Sentence pairs per optimizer step.</summary>
        public const int BatchSize = 64;
        /// <summary>Passes over the data.</summary>
        public const int NumberOfEpochs = 10;
        /// <summary>Adam learning rate.</summary>
        public const double LearningRate = 1e-3;
        /// <summary>Maximum global gradient norm.</summary>
        public const double GradientClipNorm = 5;
        /// <summary>Longest generated translation in tokens.</summary>
        public const int MaxTargetLength = 50;
    }

    /// <summary>Source text column (whitespace-tokenized; the corpus is expected pre-tokenized).</summary>
    public string SourceColumnName { get; set; } = "Source";

    /// <summary>Target text column used for training (whitespace-tokenized).</summary>
    public string TargetColumnName { get; set; } = "Target";

    /// <summary>Output column with the translation (tokens joined by spaces).</summary>
    public string OutputColumnName { get; set; } = "Translation";

    /// <summary>Recurrent cell.</summary>
    public Seq2SeqCell Cell { get; set; } = Seq2SeqCell.Gru;

    /// <summary>Stacked recurrent layers in the encoder and in the decoder.</summary>
    public int NumberOfLayers { get; set; } = 1;

    /// <summary>Bidirectional encoder (the two directions' outputs and final states are summed).</summary>
    public bool BidirectionalEncoder { get; set; }

    /// <summary>Embedding width (source and target).</summary>
    public int EmbeddingDimension { get; set; } = Defaults.EmbeddingDimension;

    /// <summary>Recurrent state width.</summary>
    public int HiddenSize { get; set; } = Defaults.HiddenSize;

    /// <summary>Attention.</summary>
    public Seq2SeqAttentionKind Attention { get; set; } = Seq2SeqAttentionKind.LuongDot;

    /// <summary>Dropout on the embeddings and on the attentional output, in training.</summary>
    public double Dropout { get; set; }

    /// <summary>
    /// Probability that a decoder step is fed the reference token rather than its own prediction. 1 (the
    /// default) runs the decoder over the whole target at once (fast); below 1 the decoder runs step by step.
    /// </summary>
    public double TeacherForcingRatio { get; set; } = 1;

    /// <summary>Sentence pairs per optimizer step (batches are built from pairs of similar length).</summary>
    public int BatchSize { get; set; } = Defaults.BatchSize;

    /// <summary>Passes over the training data.</summary>
    public int NumberOfEpochs { get; set; } = Defaults.NumberOfEpochs;

    /// <summary>Initial learning rate.</summary>
    public double LearningRate { get; set; } = Defaults.LearningRate;

    /// <summary>The optimizer (the same choice as the image classifier's).</summary>
    public ImageOptimizer Optimizer { get; set; } = ImageOptimizer.Adam;

    /// <summary>SGD momentum (with <see cref="ImageOptimizer.SgdMomentum"/>).</summary>
    public double Momentum { get; set; } = 0.9;

    /// <summary>The learning-rate schedule over the epochs (cosine annealing to 0, or ×0.1 every third of the epochs).</summary>
    public LearningRateSchedule Schedule { get; set; } = LearningRateSchedule.Constant;

    /// <summary>Exponential decay: factor applied to the learning rate after every epoch (1: none), on top of <see cref="Schedule"/>.</summary>
    public double LearningRateDecay { get; set; } = 1;

    /// <summary>Maximum global L2 norm of the gradient (0: no clipping).</summary>
    public double GradientClipNorm { get; set; } = Defaults.GradientClipNorm;

    /// <summary>Stop when the validation loss has not improved for this many epochs, keeping the best weights (0: off).</summary>
    public int EarlyStoppingPatience { get; set; }

    /// <summary>Longest generated translation (tokens, end-of-sentence excluded).</summary>
    public int MaxTargetLength { get; set; } = Defaults.MaxTargetLength;

    /// <summary>Training sentences longer than this are truncated (tokens).</summary>
    public int MaxTrainingLength { get; set; } = 100;

    /// <summary>One vocabulary for source and target (built from both sides) instead of one each.</summary>
    public bool SharedVocabulary { get; set; }

    /// <summary>Words seen fewer times in the training data map to the unknown token.</summary>
    public int MinimumCount { get; set; } = 1;

    /// <summary>Beam width of the fitted transformer's decoding (1: greedy).</summary>
    public int BeamSize { get; set; } = 1;

    /// <summary>
    /// The fitted transformer also outputs the k best beam hypotheses and their length-penalised log-probabilities
    /// (columns <see cref="OutputColumnName"/> + "NBest" and + "NBestScores"; 0: off; at most <see cref="BeamSize"/>).
    /// </summary>
    public int NBest { get; set; }

    /// <summary>Beam hypotheses are ranked by log-probability / length^LengthPenalty (0: raw log-probability).</summary>
    public double LengthPenalty { get; set; } = 1;

    /// <summary>Compute the validation BLEU (greedy decoding) at every epoch end when validation data is given.</summary>
    public bool ValidationBleu { get; set; } = true;

    /// <summary>Seed for initial weights, batch order and dropout; null: drawn from the context.</summary>
    public int? Seed { get; set; }

    /// <summary>
    /// File written atomically at every epoch end (weights, optimizer state, history). When it exists at the
    /// start of <c>Fit</c>, training resumes after its last completed epoch. Null: no checkpoints.
    /// </summary>
    public string? CheckpointPath { get; set; }

    /// <summary>Receives progress after every <see cref="ProgressInterval"/> steps and at each epoch end.</summary>
    public IProgress<Seq2SeqProgress>? Progress { get; set; }

    /// <summary>Steps between progress reports (0: epoch ends only).</summary>
    public int ProgressInterval { get; set; } = 50;

    /// <summary>Stops training (throws <see cref="OperationCanceledException"/>) between steps.</summary>
    public CancellationToken CancellationToken { get; set; }

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(SourceColumnName, nameof(SourceColumnName));
        ArgumentException.ThrowIfNullOrEmpty(TargetColumnName, nameof(TargetColumnName));
        ArgumentException.ThrowIfNullOrEmpty(OutputColumnName, nameof(OutputColumnName));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(NumberOfLayers, nameof(NumberOfLayers));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(EmbeddingDimension, nameof(EmbeddingDimension));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(HiddenSize, nameof(HiddenSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchSize, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(NumberOfEpochs, nameof(NumberOfEpochs));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxTargetLength, nameof(MaxTargetLength));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxTrainingLength, nameof(MaxTrainingLength));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MinimumCount, nameof(MinimumCount));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BeamSize, nameof(BeamSize));
        Seq2SeqTransformer.CheckNBest(NBest, BeamSize, nameof(NBest));
        ArgumentOutOfRangeException.ThrowIfNegative(EarlyStoppingPatience, nameof(EarlyStoppingPatience));
        ArgumentOutOfRangeException.ThrowIfNegative(ProgressInterval, nameof(ProgressInterval));
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "Must be positive.");
        if (!Enum.IsDefined(Optimizer)) throw new ArgumentOutOfRangeException(nameof(Optimizer), Optimizer, "Unknown optimizer.");
        if (!Enum.IsDefined(Schedule)) throw new ArgumentOutOfRangeException(nameof(Schedule), Schedule, "Unknown schedule.");
        if (!(Momentum >= 0 && Momentum < 1)) throw new ArgumentOutOfRangeException(nameof(Momentum), Momentum, "Must be in [0, 1).");
        if (!(LearningRateDecay > 0 && LearningRateDecay <= 1)) throw new ArgumentOutOfRangeException(nameof(LearningRateDecay), LearningRateDecay, "Must be in (0, 1].");
        if (!(GradientClipNorm >= 0)) throw new ArgumentOutOfRangeException(nameof(GradientClipNorm), GradientClipNorm, "Must be non-negative.");
        if (!(Dropout >= 0 && Dropout < 1)) throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout, "Must be in [0, 1).");
        if (!(TeacherForcingRatio >= 0 && TeacherForcingRatio <= 1)) throw new ArgumentOutOfRangeException(nameof(TeacherForcingRatio), TeacherForcingRatio, "Must be in [0, 1].");
        if (!(LengthPenalty >= 0)) throw new ArgumentOutOfRangeException(nameof(LengthPenalty), LengthPenalty, "Must be non-negative.");
    }
}

/// <summary>Typed training progress of the translator.</summary>
/// <param name="Epoch">Current epoch (1-based).</param>
/// <param name="NumberOfEpochs">Planned epochs.</param>
/// <param name="Step">Optimizer steps taken so far (all epochs).</param>
/// <param name="TrainLoss">Mean per-token training cross-entropy over the epoch so far.</param>
/// <param name="ValidationLoss">Per-token validation cross-entropy at the epoch end, when validation data was given.</param>
/// <param name="ValidationBleu">Validation BLEU × 100 (greedy) at the epoch end, when computed.</param>
/// <param name="TokensPerSecond">Training throughput (source + target tokens, end-of-sentence included) over the epoch so far.</param>
/// <param name="Elapsed">Time since this Fit call started.</param>
/// <param name="IsEpochEnd">Whether this report closes an epoch.</param>
public sealed record Seq2SeqProgress(int Epoch, int NumberOfEpochs, long Step, double TrainLoss, double? ValidationLoss, double? ValidationBleu,
    double TokensPerSecond, TimeSpan Elapsed, bool IsEpochEnd);

/// <summary>One epoch of the training history kept in the fitted model.</summary>
/// <param name="Epoch">Epoch (1-based).</param>
/// <param name="TrainLoss">Mean per-token training cross-entropy.</param>
/// <param name="ValidationLoss">Per-token validation cross-entropy, or null.</param>
/// <param name="ValidationBleu">Validation BLEU × 100 (greedy), or null.</param>
/// <param name="TokensPerSecond">Training throughput.</param>
/// <param name="Seconds">Wall time of the epoch's training steps.</param>
public sealed record Seq2SeqEpoch(int Epoch, double TrainLoss, double? ValidationLoss, double? ValidationBleu, double TokensPerSecond, double Seconds);
