using MLNetDeep.Data;
using MLNetDeep.Estimators.Sequence;
using MLNetDeep.Estimators.Vision;

namespace MLNetDeep;

/// <summary>Image classification on <c>ctx.Vision</c>: trainers and evaluation.</summary>
public static class VisionCatalogExtensions
{
    /// <summary>
    /// An image classifier (defaults from <see cref="ImageClassifierOptions.Defaults"/>; one channel of a square image
    /// inferred from the image vector length).
    /// </summary>
    /// <param name="catalog">The vision trainers catalog.</param>
    /// <param name="labelColumnName">Key label column.</param>
    /// <param name="imageColumnName">Vector&lt;Single&gt; image column.</param>
    /// <param name="architecture">The network family.</param>
    /// <param name="numberOfEpochs">Passes over the data.</param>
    /// <param name="batchSize">Rows per step.</param>
    /// <param name="learningRate">Adam learning rate.</param>
    public static ImageClassificationTrainer ImageClassifier(this TrainersCatalog catalog, string labelColumnName = "Label", string imageColumnName = "Image",
        ImageArchitecture architecture = ImageArchitecture.SmallCnn, int numberOfEpochs = ImageClassifierOptions.Defaults.NumberOfEpochs,
        int batchSize = ImageClassifierOptions.Defaults.BatchSize, double learningRate = ImageClassifierOptions.Defaults.LearningRate) =>
        ImageClassifier(catalog, new ImageClassifierOptions
        {
            LabelColumnName = labelColumnName,
            ImageColumnName = imageColumnName,
            Architecture = architecture,
            NumberOfEpochs = numberOfEpochs,
            BatchSize = batchSize,
            LearningRate = learningRate,
        });

    /// <summary>An image classifier with full options.</summary>
    /// <param name="catalog">The vision trainers catalog.</param>
    /// <param name="options">Options.</param>
    public static ImageClassificationTrainer ImageClassifier(this TrainersCatalog catalog, ImageClassifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ImageClassificationTrainer(catalog.Context, options);
    }

    /// <summary>Accuracy, macro-F1 and the confusion matrix of scored data (a Key label and a Key predicted label with the same classes).</summary>
    /// <param name="catalog">The vision catalog.</param>
    /// <param name="data">Scored data (the output of a classifier's Transform).</param>
    /// <param name="labelColumnName">Key label column.</param>
    /// <param name="predictedLabelColumnName">Key predicted label column.</param>
    /// <remarks>The metrics record is the multiclass one shared with the sequence classifier.</remarks>
    public static SequenceClassificationMetrics Evaluate(this VisionCatalog catalog, IDataView data, string labelColumnName = "Label", string predictedLabelColumnName = "PredictedLabel")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        var predicted = data.Schema.GetColumnOrNull(predictedLabelColumnName)
            ?? throw new SchemaMismatchException(predictedLabelColumnName, $"Vision.Evaluate: predicted label column '{predictedLabelColumnName}' not found; the schema has {data.Schema.Describe()}.");
        if (predicted.Type is not KeyDataViewType key)
            throw new SchemaMismatchException(predicted.Name, $"Vision.Evaluate: predicted label column '{predicted.Name}' must be a Key, got {predicted.Type}.");
        return SequenceClassificationMetrics.Compute(data, labelColumnName, predictedLabelColumnName, (int)key.Count);
    }
}
