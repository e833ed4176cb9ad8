using System.CommandLine;
using MLNetDeep.Data;
using MLNetDeep.Estimators.Vision;

namespace MLNetDeep.Cli.Verbs;

/// <summary>The command-line options of <c>vision train</c> and <c>vision distill</c>: IDX data files and the image classifier's options.</summary>
internal sealed class VisionCliOptions
{
    public Option<FileInfo> Images { get; } = new("--images") { Description = "IDX image file (e.g. train-images-idx3-ubyte.gz).", Required = true };
    public Option<FileInfo> Labels { get; } = new("--labels") { Description = "IDX label file with one label per image.", Required = true };
    public Option<FileInfo?> ValidationImages { get; } = new("--validation-images") { Description = "IDX image file for validation (loss per epoch, early stopping)." };
    public Option<FileInfo?> ValidationLabels { get; } = new("--validation-labels") { Description = "IDX label file for validation." };
    public Option<FileInfo> Output { get; } = new("--output", "-o") { Description = "Where to write the model (.zip); written atomically.", Required = true };
    public Option<ImageArchitecture> Architecture { get; } = new("--architecture") { Description = "Mlp, SmallCnn, MobileNetV1, MobileNetV2, ResNet or DenseNet.", DefaultValueFactory = _ => ImageArchitecture.SmallCnn };
    public Option<int> Hidden { get; } = new("--hidden-size") { Description = "MLP hidden width (SmallCnn: twice its classifier width).", DefaultValueFactory = _ => 256 };
    public Option<int> Width { get; } = new("--width") { Description = "Base channels of SmallCnn and ResNet.", DefaultValueFactory = _ => 16 };
    public Option<int> Depth { get; } = new("--depth") { Description = "ResNet depth 6n+2 (8, 14, 20, …).", DefaultValueFactory = _ => 20 };
    public Option<int> GrowthRate { get; } = new("--growth-rate") { Description = "DenseNet growth rate.", DefaultValueFactory = _ => 12 };
    public Option<int> DenseLayers { get; } = new("--dense-layers") { Description = "DenseNet layers per dense block.", DefaultValueFactory = _ => 4 };
    public Option<double> WidthMultiplier { get; } = new("--width-multiplier") { Description = "MobileNet channel multiplier.", DefaultValueFactory = _ => 1.0 };
    public Option<int> Epochs { get; } = new("--epochs") { Description = "Passes over the training data (NumberOfEpochs).", DefaultValueFactory = _ => ImageClassifierOptions.Defaults.NumberOfEpochs };
    public Option<int> BatchSize { get; } = new("--batch-size") { Description = "Images per optimizer step (BatchSize).", DefaultValueFactory = _ => ImageClassifierOptions.Defaults.BatchSize };
    public Option<double> LearningRate { get; } = new("--learning-rate") { Description = "Initial learning rate (LearningRate).", DefaultValueFactory = _ => ImageClassifierOptions.Defaults.LearningRate };
    public Option<ImageOptimizer> Optimizer { get; } = new("--optimizer") { Description = "Adam or SgdMomentum.", DefaultValueFactory = _ => ImageOptimizer.Adam };
    public Option<LearningRateSchedule> Schedule { get; } = new("--schedule") { Description = "Constant, Cosine or Step.", DefaultValueFactory = _ => LearningRateSchedule.Constant };
    public Option<int> CropPadding { get; } = new("--crop-padding") { Description = "Random crop of the image padded by this many pixels (0: off)." };
    public Option<int> MaxShift { get; } = new("--max-shift") { Description = "Random shift of up to this many pixels (0: off)." };
    public Option<double> Flip { get; } = new("--flip") { Description = "Probability of a horizontal flip (0: off)." };
    public Option<int> Patience { get; } = new("--patience") { Description = "Early stopping: epochs without better validation accuracy (0: off; needs validation files)." };
    public Option<int> Seed { get; } = new("--seed") { Description = "Seed for weights, shuffling and augmentation (same seed, same model).", DefaultValueFactory = _ => 1 };

    public void AddTo(Command c)
    {
        foreach (var o in new Option[] { Images, Labels, ValidationImages, ValidationLabels, Output, Architecture, Hidden, Width, Depth, GrowthRate, DenseLayers, WidthMultiplier,
            Epochs, BatchSize, LearningRate, Optimizer, Schedule, CropPadding, MaxShift, Flip, Patience, Seed }) c.Add(o);
    }

    /// <summary>The classifier options from the parsed values.</summary>
    public ImageClassifierOptions Options(ParseResult r, IProgress<TrainingProgress> progress) => new()
    {
        Architecture = r.GetValue(Architecture),
        HiddenSize = r.GetValue(Hidden),
        Width = r.GetValue(Width),
        Depth = r.GetValue(Depth),
        GrowthRate = r.GetValue(GrowthRate),
        DenseLayers = r.GetValue(DenseLayers),
        WidthMultiplier = r.GetValue(WidthMultiplier),
        NumberOfEpochs = r.GetValue(Epochs),
        BatchSize = r.GetValue(BatchSize),
        LearningRate = r.GetValue(LearningRate),
        Optimizer = r.GetValue(Optimizer),
        Schedule = r.GetValue(Schedule),
        Augmentation = new ImageAugmentation { CropPadding = r.GetValue(CropPadding), MaxShift = r.GetValue(MaxShift), HorizontalFlipProbability = r.GetValue(Flip) },
        EarlyStoppingPatience = r.GetValue(Patience),
        Seed = r.GetValue(Seed),
        Progress = progress,
    };

    /// <summary>The training view.</summary>
    public IdxDataView Load(DeepContext ctx, ParseResult r) => ctx.Data.LoadFromIdx(r.GetValue(Images)!.FullName, r.GetValue(Labels)!.FullName);

    /// <summary>The validation view, or null when no validation files are given.</summary>
    public IdxDataView? LoadValidation(DeepContext ctx, ParseResult r)
    {
        FileInfo? images = r.GetValue(ValidationImages), labels = r.GetValue(ValidationLabels);
        if (images is null && labels is null) return null;
        if (images is null || labels is null) throw new ArgumentException("--validation-images and --validation-labels are given together.");
        return ctx.Data.LoadFromIdx(images.FullName, labels.FullName);
    }
}
