using MLNetDeep.Data;
using MLNetDeep.Tensors;

namespace MLNetDeep.Estimators.Vision.Detection;

/// <summary>
/// Trains an <see cref="SsdNetwork"/>: images resized to <see cref="ObjectDetectorOptions.InputSize"/> by
/// <see cref="DetectionBatchReader"/> (a seeded shuffle each epoch), seeded horizontal flips, targets from
/// <see cref="SsdTargetAssigner"/>, the <see cref="SsdLoss"/> (smooth-L1 + cross-entropy with hard-negative mining)
/// and Adam. Use <c>ctx.Vision.Trainers.ObjectDetector</c>.
/// </summary>
public sealed class ObjectDetectionTrainer : TrainerBase<ObjectDetectorOptions, ObjectDetectionTransformer>
{
    /// <summary>Creates the trainer.</summary>
    public ObjectDetectionTrainer(DeepContext context, ObjectDetectorOptions options) : base(context, options, o => o.Validate())
    {
    }

    /// <inheritdoc/>
    private protected override DataViewSchema OutputSchema(DataViewSchema inputSchema)
    {
        var (classes, names) = VisionColumns.Classes(inputSchema, Options.LabelColumnName, "ObjectDetector");
        VisionColumns.Image(inputSchema, Options.ImageColumnName, "ObjectDetector");
        return ObjectDetectionTransformer.ScoredSchema(inputSchema, Options.PredictedBoxesColumnName, Options.PredictedLabelsColumnName, Options.PredictedScoresColumnName, classes, names);
    }

    /// <inheritdoc/>
    private protected override ObjectDetectionTransformer Train(IDataView input)
    {
        var o = Options;
        var (classes, names) = VisionColumns.Classes(input.Schema, o.LabelColumnName, "ObjectDetector");
        VisionColumns.Image(input.Schema, o.ImageColumnName, "ObjectDetector");
        int seed = o.Seed ?? Context.NextSeed();
        var net = new SsdNetwork(o.InputSize, classes, o.BackboneWidth, o.BackboneDepth, new Generator((ulong)seed));
        var coder = new SsdBoxCoder();
        var assigner = new SsdTargetAssigner(net.Priors, coder, o.MatchingIou);
        var reader = new DetectionBatchReader(o.InputSize, o.ImageColumnName, o.BoxColumnName);
        var random = new Random(seed);
        int p = net.PriorCount;
        VisionTrainingLoop.Run(Context, "ObjectDetector", net, reader, input, o.BatchSize, o.NumberOfEpochs, o.LearningRate, o.Schedule, random,
            o.ProgressInterval, o.Progress, o.CancellationToken, batch =>
            {
                int n = batch.Images.Size(0);
                var (images, boxes) = VisionAugmentation.RandomHorizontalFlip(batch.Images, batch.Boxes, o.FlipProbability, random);
                var classTargets = new int[n * p];
                var offsetTargets = new float[n * p * 4];
                for (int i = 0; i < n; i++)
                {
                    foreach (int label in batch.Labels[i])
                        if (label < 1 || label > classes)
                            throw new SchemaMismatchException(o.BoxColumnName, $"ObjectDetector: a box of '{o.BoxColumnName}' has label {label}; key ids 1..{classes} of '{o.LabelColumnName}' are expected.");
                    assigner.Assign(boxes[i], batch.Labels[i], classTargets.AsSpan(i * p, p), offsetTargets.AsSpan(i * p * 4, p * 4));
                }
                return SsdLoss.Compute(net.Forward(images), classTargets, offsetTargets, o.NegativesPerPositive).Loss;
            });
        return new ObjectDetectionTransformer(net, new NonMaxSuppression(o.NmsIouThreshold, o.ScoreThreshold, o.MaxDetections), names,
            o.ImageColumnName, o.PredictedBoxesColumnName, o.PredictedLabelsColumnName, o.PredictedScoresColumnName);
    }
}
