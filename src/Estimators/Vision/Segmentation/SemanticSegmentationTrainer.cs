using MLNetDeep.Data;
using MLNetDeep.Estimators.Vision.Detection;
using MLNetDeep.Tensors;

namespace MLNetDeep.Estimators.Vision.Segmentation;

/// <summary>
/// Trains an <see cref="FcnNetwork"/> with per-pixel cross-entropy and Adam on images and masks resized to
/// <see cref="SemanticSegmenterOptions.InputSize"/> (bilinear images, nearest masks; <see cref="DetectionBatchReader"/>),
/// a seeded shuffle per epoch and seeded horizontal flips. Use <c>ctx.Vision.Trainers.SemanticSegmenter</c>.
/// </summary>
public sealed class SemanticSegmentationTrainer : TrainerBase<SemanticSegmenterOptions, SemanticSegmentationTransformer>
{
    /// <summary>Creates the trainer.</summary>
    public SemanticSegmentationTrainer(DeepContext context, SemanticSegmenterOptions options) : base(context, options, o => o.Validate())
    {
    }

    private (int Classes, IReadOnlyList<string>? Names) CheckInput(DataViewSchema schema)
    {
        VisionColumns.Image(schema, Options.ImageColumnName, "SemanticSegmenter");
        var mask = schema.GetColumnOrNull(Options.MaskColumnName)
            ?? throw new SchemaMismatchException(Options.MaskColumnName, $"SemanticSegmenter: mask column '{Options.MaskColumnName}' not found; the schema has {schema.Describe()}.");
        if (mask.Type is not VectorDataViewType { ItemType: var item } || !item.Equals(NumberDataViewType.Int32))
            throw new SchemaMismatchException(mask.Name, $"SemanticSegmenter: mask column '{mask.Name}' holds {mask.Type}; Vector<Int32> class ids are needed.");
        if (Options.NumberOfClasses > 0)
        {
            var names = schema.GetColumnOrNull(Options.LabelColumnName)?.KeyValues;
            return (Options.NumberOfClasses, names is not null && names.Count == Options.NumberOfClasses - 1 ? names : null);
        }
        var (classes, keyNames) = VisionColumns.Classes(schema, Options.LabelColumnName, "SemanticSegmenter");
        return (classes + 1, keyNames);
    }

    /// <inheritdoc/>
    private protected override DataViewSchema OutputSchema(DataViewSchema inputSchema)
    {
        CheckInput(inputSchema);
        return SemanticSegmentationTransformer.ScoredSchema(inputSchema, Options.PredictedMaskColumnName);
    }

    /// <inheritdoc/>
    private protected override SemanticSegmentationTransformer Train(IDataView input)
    {
        var o = Options;
        var (classes, names) = CheckInput(input.Schema);
        int seed = o.Seed ?? Context.NextSeed();
        var net = new FcnNetwork(classes, o.Width, o.Depth, new Generator((ulong)seed));
        var reader = new DetectionBatchReader(o.InputSize, o.ImageColumnName, null, o.MaskColumnName);
        var random = new Random(seed);
        VisionTrainingLoop.Run(Context, "SemanticSegmenter", net, reader, input, o.BatchSize, o.NumberOfEpochs, o.LearningRate, o.Schedule, random,
            o.ProgressInterval, o.Progress, o.CancellationToken, batch =>
            {
                var (images, _, masks) = VisionAugmentation.RandomHorizontalFlip(batch.Images, batch.Boxes, batch.Masks, o.FlipProbability, random);
                foreach (long v in masks!.ToArray<long>())
                    if (v < 0 || v >= classes)
                        throw new SchemaMismatchException(o.MaskColumnName, $"SemanticSegmenter: mask '{o.MaskColumnName}' holds class id {v}; ids 0..{classes - 1} are expected.");
                return PixelLoss(net.Forward(images), masks);
            });
        return new SemanticSegmentationTransformer(net, o.InputSize, names, o.ImageColumnName, o.PredictedMaskColumnName);
    }

    /// <summary>Mean cross-entropy over all pixels of logits <c>[B, C, H, W]</c> against class ids <c>[B, H, W]</c> (Int64).</summary>
    public static Tensor PixelLoss(Tensor logits, Tensor masks)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(masks);
        int c = logits.Size(1);
        return F.CrossEntropy(logits.Permute(0, 2, 3, 1).Reshape(-1, c), masks.Reshape(-1));
    }
}
