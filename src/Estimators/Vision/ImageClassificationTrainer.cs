using MLNetDeep.Data;
using MLNetDeep.Estimators.Text;
using MLNetDeep.Tensors;

namespace MLNetDeep.Estimators.Vision;

/// <summary>
/// Trains an image classifier (<see cref="ImageArchitecture"/>) with cross-entropy on a Key label and a
/// Vector&lt;Single&gt; image column. The images are read into memory once; each epoch visits them in a seeded
/// random order, optionally augmented. With validation data (<see cref="Fit(IDataView, IDataView?)"/>) the
/// validation loss is reported each epoch and early stopping keeps the best epoch.
/// </summary>
public sealed class ImageClassificationTrainer : TrainerBase<ImageClassifierOptions, ImageClassificationTransformer>
{
    private const string Component = "ImageClassifier";

    /// <summary>Creates the trainer (use <c>ctx.Vision.Trainers.ImageClassifier</c>).</summary>
    public ImageClassificationTrainer(DeepContext context, ImageClassifierOptions options) : base(context, options.Clone(), o => o.Validate())
    {
    }

    /// <inheritdoc/>
    private protected override DataViewSchema OutputSchema(DataViewSchema inputSchema)
    {
        var (label, image) = CheckInput(inputSchema, Options, Component);
        ImageColumns.Shape(image, Options, Component);
        return ImageColumns.ScoredSchema(inputSchema, Options.ImageColumnName, Options.ScoreColumnName, Options.PredictedLabelColumnName,
            (int)((KeyDataViewType)label.Type).Count, ImageClassificationTransformer.LabelNames(label), Component);
    }

    internal static (DataViewSchema.Column Label, DataViewSchema.Column Image) CheckInput(DataViewSchema schema, ImageClassifierOptions o, string component)
    {
        var label = TokenColumns.Label(schema, o.LabelColumnName, component);
        var image = ImageColumns.Image(schema, o.ImageColumnName, component);
        if ((int)((KeyDataViewType)label.Type).Count < 2)
            throw new SchemaMismatchException(label.Name, $"{component}: label column '{label.Name}' has {((KeyDataViewType)label.Type).Count} class(es); at least 2 are needed.");
        return (label, image);
    }

    /// <inheritdoc/>
    private protected override ImageClassificationTransformer Train(IDataView input) => Fit(input, null);

    /// <summary>Trains; with <paramref name="validationData"/>, reports its loss each epoch and stops early per <see cref="ImageClassifierOptions.EarlyStoppingPatience"/>.</summary>
    public ImageClassificationTransformer Fit(IDataView input, IDataView? validationData)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (label, image, train, validation) = ReadTrainingData(input, validationData, Options, Component);
        int seed = Options.Seed ?? Context.NextSeed();
        var generator = new Generator((ulong)seed);
        string[] labels = ImageClassificationTransformer.LabelNames(label);
        var net = ImageNetworks.Build(Options, train.Shape, labels.Length, generator);
        ImageTrainingLoop.Run(net, train, validation, Options, generator, (_, logits, targets, _) => F.CrossEntropy(logits, targets), Context, Component);
        return new ImageClassificationTransformer(net, Options, train.Shape, labels);
    }

    /// <summary>Checks the columns and reads the training (and validation) images into memory.</summary>
    internal static (DataViewSchema.Column Label, DataViewSchema.Column Image, ImageData Train, ImageData? Validation) ReadTrainingData(
        IDataView input, IDataView? validationData, ImageClassifierOptions o, string component)
    {
        var (label, image) = CheckInput(input.Schema, o, component);
        var shape = ImageColumns.Shape(image, o, component);
        var train = ImageData.Read(input, image, label, shape);
        ImageData? validation = null;
        if (validationData is not null)
        {
            var (vLabel, vImage) = CheckInput(validationData.Schema, o, component);
            if (((VectorDataViewType)vImage.Type).Size != ((VectorDataViewType)image.Type).Size)
                throw new SchemaMismatchException(vImage.Name, $"{component}: validation image column '{vImage.Name}' has {((VectorDataViewType)vImage.Type).Size} values, the training one {((VectorDataViewType)image.Type).Size}.");
            validation = ImageData.Read(validationData, vImage, vLabel, shape);
        }
        if (o.EarlyStoppingPatience > 0 && validation is null)
            throw new ArgumentException($"{component}: EarlyStoppingPatience needs validation data (Fit(train, validation)).", nameof(validationData));
        return (label, image, train, validation);
    }
}
