using MLNetDeep.Estimators.Vision.Detection;

namespace MLNetDeep;

/// <summary>The object detector on <c>ctx.Vision.Trainers</c>.</summary>
public static class DetectionTrainersCatalogExtensions
{
    /// <summary>An SSD object detector (MobileNet-style backbone, heads on three feature maps; see <see cref="ObjectDetectionTrainer"/>).</summary>
    /// <param name="catalog">The vision trainers catalog.</param>
    /// <param name="labelColumnName">Vector&lt;Key&gt; (or Key) column whose key type names the classes.</param>
    /// <param name="boxColumnName">Ground-truth <c>BoundingBoxes</c> column.</param>
    /// <param name="imageColumnName">Image column.</param>
    /// <param name="numberOfEpochs">Passes over the data.</param>
    /// <param name="batchSize">Images per step.</param>
    /// <param name="learningRate">Adam learning rate.</param>
    public static ObjectDetectionTrainer ObjectDetector(this TrainersCatalog catalog, string labelColumnName = "Labels", string boxColumnName = "Boxes",
        string imageColumnName = "Image", int numberOfEpochs = 20, int batchSize = 16, double learningRate = 2e-3) =>
        ObjectDetector(catalog, new ObjectDetectorOptions
        {
            LabelColumnName = labelColumnName,
            BoxColumnName = boxColumnName,
            ImageColumnName = imageColumnName,
            NumberOfEpochs = numberOfEpochs,
            BatchSize = batchSize,
            LearningRate = learningRate,
        });

    /// <summary>An SSD object detector with full options.</summary>
    /// <param name="catalog">The vision trainers catalog.</param>
    /// <param name="options">Options.</param>
    public static ObjectDetectionTrainer ObjectDetector(this TrainersCatalog catalog, ObjectDetectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ObjectDetectionTrainer(catalog.Context, options);
    }
}
