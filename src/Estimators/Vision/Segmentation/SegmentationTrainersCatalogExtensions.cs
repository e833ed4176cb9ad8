using MLNetDeep.Estimators.Vision.Segmentation;

namespace MLNetDeep;

/// <summary>The semantic segmenter on <c>ctx.Vision.Trainers</c>.</summary>
public static class SegmentationTrainersCatalogExtensions
{
    /// <summary>An FCN semantic segmenter (strided convolutions down, transposed convolutions up with skips; see <see cref="SemanticSegmentationTrainer"/>).</summary>
    /// <param name="catalog">The vision trainers catalog.</param>
    /// <param name="maskColumnName">Mask column (<c>Vector&lt;Int32&gt;</c> class ids, 0 = background).</param>
    /// <param name="imageColumnName">Image column.</param>
    /// <param name="labelColumnName">Key or Vector&lt;Key&gt; column naming the object classes.</param>
    /// <param name="numberOfEpochs">Passes over the data.</param>
    /// <param name="batchSize">Images per step.</param>
    /// <param name="learningRate">Adam learning rate.</param>
    public static SemanticSegmentationTrainer SemanticSegmenter(this TrainersCatalog catalog, string maskColumnName = "Mask", string imageColumnName = "Image",
        string labelColumnName = "Labels", int numberOfEpochs = 20, int batchSize = 16, double learningRate = 2e-3) =>
        SemanticSegmenter(catalog, new SemanticSegmenterOptions
        {
            MaskColumnName = maskColumnName,
            ImageColumnName = imageColumnName,
            LabelColumnName = labelColumnName,
            NumberOfEpochs = numberOfEpochs,
            BatchSize = batchSize,
            LearningRate = learningRate,
        });

    /// <summary>An FCN semantic segmenter with full options.</summary>
    /// <param name="catalog">The vision trainers catalog.</param>
    /// <param name="options">Options.</param>
    public static SemanticSegmentationTrainer SemanticSegmenter(this TrainersCatalog catalog, SemanticSegmenterOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new SemanticSegmentationTrainer(catalog.Context, options);
    }
}
