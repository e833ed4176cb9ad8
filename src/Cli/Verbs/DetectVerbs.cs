using System.CommandLine;
using MLNetDeep.Data;
using MLNetDeep.Estimators.Vision.Detection;

namespace MLNetDeep.Cli.Verbs;

/// <summary>
/// <c>detect train|evaluate|predict</c>: trains the SSD object detector on VOC, COCO or generated scenes, prints
/// VOC/COCO mAP of a saved detector, and writes PNG pictures with the predicted boxes drawn.
/// </summary>
public sealed class DetectVerbs : IVerbGroup
{
    /// <inheritdoc/>
    public void Register(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var group = new Command("detect", "Object detection: train an SSD detector, evaluate it (mAP), draw its predictions.");
        group.Add(TrainCommand());
        group.Add(EvaluateCommand());
        group.Add(PredictCommand());
        root.Add(group);
    }

    private static Command TrainCommand()
    {
        var data = new DetectionDataCliOptions();
        var d = new ObjectDetectorOptions();
        var o = new VisionTrainCliOptions(d.InputSize, d.BackboneWidth, d.BackboneDepth, d.NumberOfEpochs, d.BatchSize, d.LearningRate, d.Schedule,
            "Also export the detector to this ONNX file (boxes + scores per default box).");
        var train = new Command("train", "Train an SSD object detector.");
        data.AddTo(train);
        o.AddTo(train);
        train.SetAction(r =>
        {
            var ctx = new DeepContext(r.GetValue(o.Seed));
            var view = data.Load(ctx, r);
            var model = ctx.Vision.Trainers.ObjectDetector(new ObjectDetectorOptions
            {
                InputSize = r.GetValue(o.InputSize), BackboneWidth = r.GetValue(o.Width), BackboneDepth = r.GetValue(o.Depth), NumberOfEpochs = r.GetValue(o.Epochs),
                BatchSize = r.GetValue(o.BatchSize), LearningRate = r.GetValue(o.LearningRate), Schedule = r.GetValue(o.Schedule), Seed = r.GetValue(o.Seed),
                Progress = new EpochLines(r.InvocationConfiguration.Output),
            }).Fit(view);
            o.SaveAndExport(r, ctx, model, view.Schema, model.ExportOnnx);
            return 0;
        });
        return train;
    }

    private static Command EvaluateCommand()
    {
        var data = new DetectionDataCliOptions();
        var model = new Argument<FileInfo>("model") { Description = "A model written by 'detect train'." };
        var evaluate = new Command("evaluate", "VOC mAP@0.5 and COCO mAP@[.5:.95] (per class) of a detector on labelled data.") { model };
        data.AddTo(evaluate);
        evaluate.SetAction(r =>
        {
            var ctx = new DeepContext(1);
            var detector = Load(ctx, r.GetValue(model)!);
            var scored = detector.Transform(data.Load(ctx, r));
            r.InvocationConfiguration.Output.Write(ctx.Vision.EvaluateDetector(scored, "Boxes", detector.PredictedBoxesColumnName, detector.ClassNames).ToString());
            return 0;
        });
        return evaluate;
    }

    private static Command PredictCommand()
    {
        var data = new DetectionDataCliOptions();
        var model = new Argument<FileInfo>("model") { Description = "A model written by 'detect train'." };
        var output = new Option<DirectoryInfo>("--output-dir", "-o") { Description = "Folder for the PNG pictures (created if needed).", Required = true };
        var limit = new Option<int>("--limit") { Description = "Pictures to write at most.", DefaultValueFactory = _ => 16 };
        var predict = new Command("predict", "Draw a detector's boxes (class colours) on images, write them as PNG and an index.html report.") { model, output, limit };
        data.AddTo(predict);
        predict.SetAction(r =>
        {
            var ctx = new DeepContext(1);
            var detector = Load(ctx, r.GetValue(model)!);
            var scored = detector.Transform(data.Load(ctx, r));
            var dir = r.GetValue(output)!;
            Directory.CreateDirectory(dir.FullName);
            var image = scored.Schema[detector.ImageColumnName];
            var boxes = scored.Schema[detector.PredictedBoxesColumnName];
            int written = 0, max = r.GetValue(limit);
            var report = new PictureReport("MLNetDeep detections", "Detections (score ≥ 0.3)");
            using var cursor = scored.GetRowCursor([image, boxes]);
            while (written < max && cursor.MoveNext())
            {
                var found = cursor.GetValue<BoundingBox[]>(boxes).Where(b => b.Score >= 0.3f).ToArray();
                string file = Path.Combine(dir.FullName, $"detection_{written:D4}.png");
                ImageCodec.SavePng(BoxPainter.DrawBoxes(cursor.GetValue<MLNetDeep.Tensors.Tensor>(image), found), file);
                r.InvocationConfiguration.Output.WriteLine($"{file}: {found.Length} box(es) with score >= 0.3: {string.Join(", ", found.Select(b => Name(detector, b.Label)))}");
                report.Add(Path.GetFileName(file), string.Join(", ", found.Select(b => FormattableString.Invariant($"{Name(detector, b.Label)} {b.Score:F2}"))));
                written++;
            }
            r.InvocationConfiguration.Output.WriteLine($"report {report.Save(dir.FullName)}");
            return 0;
        });
        return predict;
    }

    private static string Name(ObjectDetectionTransformer detector, int label) =>
        detector.ClassNames is { } names && label >= 1 && label <= names.Count ? names[label - 1] : label.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static ObjectDetectionTransformer Load(DeepContext ctx, FileInfo path) => ModelComponent.Find<ObjectDetectionTransformer>(ctx, path, "object detector");
}
