using MLNetDeep.Data;

namespace MLNetDeep.Estimators.Vision.Detection;

/// <summary>Options of <c>ctx.Vision.Trainers.ObjectDetector</c> (an SSD detector, see <see cref="SsdNetwork"/>).</summary>
public sealed class ObjectDetectorOptions
{
    /// <summary>Vector&lt;Key&gt; column whose key type gives the classes and their names (the box labels are key ids).</summary>
    public string LabelColumnName { get; set; } = "Labels";

    /// <summary>Ground-truth <c>BoundingBoxes</c> column.</summary>
    public string BoxColumnName { get; set; } = "Boxes";

    /// <summary>Image column (<c>Image&lt;3,H,W&gt;</c>, values in [0, 1]).</summary>
    public string ImageColumnName { get; set; } = "Image";

    /// <summary>Output: predicted boxes (with label and score) in source-image pixels.</summary>
    public string PredictedBoxesColumnName { get; set; } = "PredictedBoxes";

    /// <summary>Output: the key id of each predicted box.</summary>
    public string PredictedLabelsColumnName { get; set; } = "PredictedLabels";

    /// <summary>Output: the score of each predicted box.</summary>
    public string PredictedScoresColumnName { get; set; } = "PredictedScores";

    /// <summary>Network input side (a multiple of 32); images are resized to it.</summary>
    public int InputSize { get; set; } = 128;

    /// <summary>Channels of the backbone stem (the width multiplier of the network).</summary>
    public int BackboneWidth { get; set; } = 16;

    /// <summary>Stride-1 inverted residual blocks after the first block of each backbone stage (the depth of the network).</summary>
    public int BackboneDepth { get; set; } = 1;

    /// <summary>Passes over the data.</summary>
    public int NumberOfEpochs { get; set; } = 20;

    /// <summary>Images per step.</summary>
    public int BatchSize { get; set; } = 16;

    /// <summary>Adam learning rate.</summary>
    public double LearningRate { get; set; } = 2e-3;

    /// <summary>How the learning rate changes over the epochs (stepped at each epoch end): constant, cosine annealing to 0, or × 0.1 every third.</summary>
    public LearningRateSchedule Schedule { get; set; } = LearningRateSchedule.Constant;

    /// <summary>Negatives kept per positive prior by hard-negative mining.</summary>
    public int NegativesPerPositive { get; set; } = 3;

    /// <summary>IoU from which a default box is matched to a ground-truth box.</summary>
    public float MatchingIou { get; set; } = 0.5f;

    /// <summary>Probability of a horizontal flip of each training image.</summary>
    public double FlipProbability { get; set; } = 0.5;

    /// <summary>IoU above which class-wise NMS suppresses a box at prediction time.</summary>
    public float NmsIouThreshold { get; set; } = 0.45f;

    /// <summary>Class probability a prediction must exceed.</summary>
    public float ScoreThreshold { get; set; } = 0.05f;

    /// <summary>Detections kept per image.</summary>
    public int MaxDetections { get; set; } = 100;

    /// <summary>Seed of the initialisation, shuffling and augmentation; null draws one from the context.</summary>
    public int? Seed { get; set; }

    /// <summary>Steps between progress reports (0: epoch ends only).</summary>
    public int ProgressInterval { get; set; } = 10;

    /// <summary>Receives progress.</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>Stops training.</summary>
    public CancellationToken CancellationToken { get; set; }

    internal void Validate()
    {
        if (InputSize < 32 || InputSize % 32 != 0) throw new ArgumentOutOfRangeException(nameof(InputSize), InputSize, "Must be a positive multiple of 32.");
        if (BackboneWidth < 4) throw new ArgumentOutOfRangeException(nameof(BackboneWidth), BackboneWidth, "Must be at least 4.");
        if (BackboneDepth is < 0 or > 16) throw new ArgumentOutOfRangeException(nameof(BackboneDepth), BackboneDepth, "Must be in 0..16.");
        if (NumberOfEpochs < 1) throw new ArgumentOutOfRangeException(nameof(NumberOfEpochs), NumberOfEpochs, "Must be at least 1.");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "Must be at least 1.");
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "Must be positive.");
        if (NegativesPerPositive < 1) throw new ArgumentOutOfRangeException(nameof(NegativesPerPositive), NegativesPerPositive, "Must be at least 1.");
        if (!(MatchingIou is > 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(MatchingIou), MatchingIou, "Must be in (0, 1].");
        if (!(FlipProbability is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(FlipProbability), FlipProbability, "Must be in [0, 1].");
        _ = new NonMaxSuppression(NmsIouThreshold, ScoreThreshold, MaxDetections);
    }
}
