namespace MLNetDeep.Estimators.Vision;

/// <summary>Options of the image classifier trainer (ML.NET naming; defaults in <see cref="Defaults"/>).</summary>
public sealed class ImageClassifierOptions
{
    /// <summary>Default values of the simple overload.</summary>
    public static class Defaults
    {
        /// <summary>Rows per optimizer step.</summary>
        public const int BatchSize = 64;
        /// <summary>Passes over the data.</summary>
        public const int NumberOfEpochs = 5;
        /// <summary>Adam learning rate.</summary>
        public const double LearningRate = 1e-3;
    }

    /// <summary>Label column: a Key (e.g. from <c>LoadFromIdx</c> or MapValueToKey) whose key values name the classes.</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>Image column: Vector&lt;Single&gt; of channels·height·width values in channel-major, row-major order.</summary>
    public string ImageColumnName { get; set; } = "Image";

    /// <summary>Output column with class probabilities (Vector&lt;Single, classes&gt;).</summary>
    public string ScoreColumnName { get; set; } = "Score";

    /// <summary>Output column with the most probable class (Key with the label's key values).</summary>
    public string PredictedLabelColumnName { get; set; } = "PredictedLabel";

    /// <summary>Image channels; 0 with <see cref="ImageHeight"/> and <see cref="ImageWidth"/> 0: one channel of a square image inferred from the vector length.</summary>
    public int Channels { get; set; }

    /// <summary>Image height (0: inferred, see <see cref="Channels"/>).</summary>
    public int ImageHeight { get; set; }

    /// <summary>Image width (0: inferred, see <see cref="Channels"/>).</summary>
    public int ImageWidth { get; set; }

    /// <summary>The network family.</summary>
    public ImageArchitecture Architecture { get; set; } = ImageArchitecture.SmallCnn;

    /// <summary>MLP hidden layer width.</summary>
    public int HiddenSize { get; set; } = 256;

    /// <summary>Base channels of SmallCnn (first stage) and ResNet (first stage).</summary>
    public int Width { get; set; } = 16;

    /// <summary>ResNet depth: 6n + 2 (8, 14, 20, 32, …).</summary>
    public int Depth { get; set; } = 20;

    /// <summary>DenseNet growth rate (channels each dense layer adds).</summary>
    public int GrowthRate { get; set; } = 12;

    /// <summary>DenseNet layers per dense block.</summary>
    public int DenseLayers { get; set; } = 4;

    /// <summary>MobileNet channel multiplier (1.0: 32-channel stem).</summary>
    public double WidthMultiplier { get; set; } = 1.0;

    /// <summary>Dropout before the classifier (MLP, SmallCnn).</summary>
    public double DropoutRate { get; set; } = 0.25;

    /// <summary>Rows per optimizer step.</summary>
    public int BatchSize { get; set; } = Defaults.BatchSize;

    /// <summary>Passes over the training data.</summary>
    public int NumberOfEpochs { get; set; } = Defaults.NumberOfEpochs;

    /// <summary>Initial learning rate.</summary>
    public double LearningRate { get; set; } = Defaults.LearningRate;

    /// <summary>The optimizer.</summary>
    public ImageOptimizer Optimizer { get; set; } = ImageOptimizer.Adam;

    /// <summary>SGD momentum (with <see cref="ImageOptimizer.SgdMomentum"/>).</summary>
    public double Momentum { get; set; } = 0.9;

    /// <summary>L2 weight decay added by the optimizer.</summary>
    public double WeightDecay { get; set; }

    /// <summary>The learning-rate schedule over epochs.</summary>
    public LearningRateSchedule Schedule { get; set; } = LearningRateSchedule.Constant;

    /// <summary>Training-time augmentation (none by default).</summary>
    public ImageAugmentation Augmentation { get; set; } = new();

    /// <summary>Epochs without a better validation accuracy before training stops (0: never stops early; needs validation data).</summary>
    public int EarlyStoppingPatience { get; set; }

    /// <summary>Seed for initial weights, shuffling, augmentation and dropout; null: drawn from the context.</summary>
    public int? Seed { get; set; }

    /// <summary>Receives progress after every <see cref="ProgressInterval"/> steps and at each epoch end.</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>Steps between progress reports (0: epoch ends only).</summary>
    public int ProgressInterval { get; set; } = 50;

    /// <summary>Stops training (throws <see cref="OperationCanceledException"/>) between steps.</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>A shallow copy (the augmentation settings are copied too).</summary>
    public ImageClassifierOptions Clone()
    {
        var copy = (ImageClassifierOptions)MemberwiseClone();
        copy.Augmentation = Augmentation.Clone();
        return copy;
    }

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(LabelColumnName, nameof(LabelColumnName));
        ArgumentException.ThrowIfNullOrEmpty(ImageColumnName, nameof(ImageColumnName));
        ArgumentException.ThrowIfNullOrEmpty(ScoreColumnName, nameof(ScoreColumnName));
        ArgumentException.ThrowIfNullOrEmpty(PredictedLabelColumnName, nameof(PredictedLabelColumnName));
        ArgumentOutOfRangeException.ThrowIfNegative(Channels, nameof(Channels));
        ArgumentOutOfRangeException.ThrowIfNegative(ImageHeight, nameof(ImageHeight));
        ArgumentOutOfRangeException.ThrowIfNegative(ImageWidth, nameof(ImageWidth));
        bool none = Channels == 0 && ImageHeight == 0 && ImageWidth == 0, all = Channels > 0 && ImageHeight > 0 && ImageWidth > 0;
        if (!none && !all) throw new ArgumentException("Channels, ImageHeight and ImageWidth are given together (all positive) or not at all (all 0).", nameof(Channels));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(HiddenSize, nameof(HiddenSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Width, nameof(Width));
        if (Depth < 8 || (Depth - 2) % 6 != 0) throw new ArgumentOutOfRangeException(nameof(Depth), Depth, "ResNet depth must be 6n + 2 with n ≥ 1 (8, 14, 20, 32, …).");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(GrowthRate, nameof(GrowthRate));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(DenseLayers, nameof(DenseLayers));
        if (!(WidthMultiplier > 0 && WidthMultiplier <= 4)) throw new ArgumentOutOfRangeException(nameof(WidthMultiplier), WidthMultiplier, "Must be in (0, 4].");
        if (!(DropoutRate >= 0 && DropoutRate < 1)) throw new ArgumentOutOfRangeException(nameof(DropoutRate), DropoutRate, "Must be in [0, 1).");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchSize, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(NumberOfEpochs, nameof(NumberOfEpochs));
        ArgumentOutOfRangeException.ThrowIfNegative(ProgressInterval, nameof(ProgressInterval));
        ArgumentOutOfRangeException.ThrowIfNegative(EarlyStoppingPatience, nameof(EarlyStoppingPatience));
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "Must be positive.");
        if (!(Momentum >= 0 && Momentum < 1)) throw new ArgumentOutOfRangeException(nameof(Momentum), Momentum, "Must be in [0, 1).");
        if (!(WeightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "Must be non-negative.");
        ArgumentNullException.ThrowIfNull(Augmentation, nameof(Augmentation));
        Augmentation.Validate();
    }
}
