using MLNetDeep.Tensors.Nn.Pruning;

namespace MLNetDeep.Estimators.Compression;

/// <summary>The optimizer of a compression fine-tune loop.</summary>
public enum FineTuneOptimizer
{
    /// <summary>Adam (β = 0.9, 0.999).</summary>
    Adam,

    /// <summary>SGD with <see cref="PruneOptions.Momentum"/>.</summary>
    Sgd,
}

/// <summary>Options of <c>ctx.Transforms.Prune</c> (ML.NET naming; defaults in <see cref="Defaults"/>).</summary>
public sealed class PruneOptions
{
    /// <summary>Default values of the simple overload.</summary>
    public static class Defaults
    {
        /// <summary>Final sparsity.</summary>
        public const double Sparsity = 0.8;
        /// <summary>Pruning steps of the cubic schedule.</summary>
        public const int PruningSteps = 3;
        /// <summary>Fine-tune epochs after each pruning step.</summary>
        public const int NumberOfEpochs = 1;
        /// <summary>Rows per fine-tune step.</summary>
        public const int BatchSize = 64;
        /// <summary>Fine-tune learning rate (Adam).</summary>
        public const double LearningRate = 5e-4;
    }

    /// <summary>Label column (read through the classifier's <see cref="INetworkClassifier.ReadBatches"/>).</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>
    /// Final sparsity in [0, 1): the fraction of Conv2d/Linear weights set to zero (unstructured), or of each layer's
    /// output channels (structured; the last layer is kept whole).
    /// </summary>
    public double Sparsity { get; set; } = Defaults.Sparsity;

    /// <summary>Unstructured (single weights) or structured (whole output channels).</summary>
    public PruningMethod Method { get; set; } = PruningMethod.Unstructured;

    /// <summary>Unstructured only: one global magnitude ranking or one per layer.</summary>
    public PruningScope Scope { get; set; } = PruningScope.Global;

    /// <summary>Structured only: the channel norm, 1 (L1) or 2 (L2).</summary>
    public int NormOrder { get; set; } = 2;

    /// <summary>Number of prune → fine-tune rounds; the targets follow the cubic schedule of Zhu and Gupta (2017) from 0 to <see cref="Sparsity"/>.</summary>
    public int PruningSteps { get; set; } = Defaults.PruningSteps;

    /// <summary>Fine-tune epochs after each pruning step (0: prune only).</summary>
    public int NumberOfEpochs { get; set; } = Defaults.NumberOfEpochs;

    /// <summary>Rows per fine-tune step.</summary>
    public int BatchSize { get; set; } = Defaults.BatchSize;

    /// <summary>Fine-tune learning rate.</summary>
    public double LearningRate { get; set; } = Defaults.LearningRate;

    /// <summary>Fine-tune optimizer.</summary>
    public FineTuneOptimizer Optimizer { get; set; } = FineTuneOptimizer.Adam;

    /// <summary>SGD momentum (ignored by Adam).</summary>
    public double Momentum { get; set; } = 0.9;

    /// <summary>Seed of the fine-tune shuffling; null: drawn from the context.</summary>
    public int? Seed { get; set; }

    /// <summary>Rows held by the shuffle pool.</summary>
    public int ShufflePoolSize { get; set; } = 10_000;

    /// <summary>Receives progress every <see cref="ProgressInterval"/> steps and at each epoch end (epochs counted over all rounds).</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>Steps between progress reports (0: epoch ends only).</summary>
    public int ProgressInterval { get; set; } = 50;

    /// <summary>Stops fine-tuning (throws <see cref="OperationCanceledException"/>) between steps.</summary>
    public CancellationToken CancellationToken { get; set; }

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(LabelColumnName, nameof(LabelColumnName));
        if (!(Sparsity >= 0 && Sparsity < 1)) throw new ArgumentOutOfRangeException(nameof(Sparsity), Sparsity, "Sparsity must be in [0, 1).");
        if (!Enum.IsDefined(Method)) throw new ArgumentOutOfRangeException(nameof(Method), Method, "Unknown pruning method.");
        if (!Enum.IsDefined(Scope)) throw new ArgumentOutOfRangeException(nameof(Scope), Scope, "Unknown pruning scope.");
        if (!Enum.IsDefined(Optimizer)) throw new ArgumentOutOfRangeException(nameof(Optimizer), Optimizer, "Unknown optimizer.");
        if (NormOrder is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(NormOrder), NormOrder, "The channel norm order must be 1 or 2.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(PruningSteps, nameof(PruningSteps));
        ArgumentOutOfRangeException.ThrowIfNegative(NumberOfEpochs, nameof(NumberOfEpochs));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchSize, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ShufflePoolSize, nameof(ShufflePoolSize));
        ArgumentOutOfRangeException.ThrowIfNegative(ProgressInterval, nameof(ProgressInterval));
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "Must be positive.");
        if (!(Momentum >= 0 && Momentum < 1)) throw new ArgumentOutOfRangeException(nameof(Momentum), Momentum, "Must be in [0, 1).");
    }
}
