using MLNetDeep.Data;

namespace MLNetDeep.Estimators.Vision.Segmentation;

/// <summary>Options of <c>ctx.Vision.Trainers.SemanticSegmenter</c> (an FCN, see <see cref="FcnNetwork"/>).</summary>
public sealed class SemanticSegmenterOptions
{
    /// <summary>Mask column: <c>Vector&lt;Int32&gt;</c> of H·W class ids per image (0 = background).</summary>
    public string MaskColumnName { get; set; } = "Mask";

    /// <summary>Image column.</summary>
    public string ImageColumnName { get; set; } = "Image";

    /// <summary>Key or Vector&lt;Key&gt; column naming the object classes (used when <see cref="NumberOfClasses"/> is 0).</summary>
    public string LabelColumnName { get; set; } = "Labels";

    /// <summary>Classes including the background; 0 takes the key count of <see cref="LabelColumnName"/> + 1.</summary>
    public int NumberOfClasses { get; set; }

    /// <summary>Output: the predicted mask (<c>Vector&lt;Int32&gt;</c>, H·W of the source image).</summary>
    public string PredictedMaskColumnName { get; set; } = "PredictedMask";

    /// <summary>Network input side (a multiple of 32).</summary>
    public int InputSize { get; set; } = 128;

    /// <summary>Channels of the backbone stem (the width multiplier of the network).</summary>
    public int Width { get; set; } = 16;

    /// <summary>Stride-1 inverted residual blocks after the first block of each encoder stage (the depth of the network).</summary>
    public int Depth { get; set; } = 1;

    /// <summary>Passes over the data.</summary>
    public int NumberOfEpochs { get; set; } = 20;

    /// <summary>Images per step.</summary>
    public int BatchSize { get; set; } = 16;

    /// <summary>Adam learning rate.</summary>
    public double LearningRate { get; set; } = 2e-3;

    /// <summary>How the learning rate changes over the epochs (stepped at each epoch end): constant, cosine annealing to 0, or × 0.1 every third.</summary>
    public LearningRateSchedule Schedule { get; set; } = LearningRateSchedule.Constant;

    /// <summary>Probability of a horizontal flip of each training image (and its mask).</summary>
    public double FlipProbability { get; set; } = 0.5;

    /// <summary>Seed; null draws one from the context.</summary>
    public int? Seed { get; set; }

    /// <summary>Steps between progress reports (0: epoch ends only).</summary>
    public int ProgressInterval { get; set; } = 10;

    /// <summary>Receives progress.</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>Stops training.</summary>
    public CancellationToken CancellationToken { get; set; }

    internal void Validate()
    {
        if (InputSize < FcnNetwork.Stride || InputSize % FcnNetwork.Stride != 0) throw new ArgumentOutOfRangeException(nameof(InputSize), InputSize, "Must be a positive multiple of 32.");
        if (Width < 2) throw new ArgumentOutOfRangeException(nameof(Width), Width, "Must be at least 2.");
        if (Depth is < 0 or > 16) throw new ArgumentOutOfRangeException(nameof(Depth), Depth, "Must be in 0..16.");
        if (NumberOfClasses is < 0 or 1) throw new ArgumentOutOfRangeException(nameof(NumberOfClasses), NumberOfClasses, "Must be 0 (from the label column) or at least 2.");
        if (NumberOfEpochs < 1) throw new ArgumentOutOfRangeException(nameof(NumberOfEpochs), NumberOfEpochs, "Must be at least 1.");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "Must be at least 1.");
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "Must be positive.");
        if (!(FlipProbability is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(FlipProbability), FlipProbability, "Must be in [0, 1].");
    }
}
