using System.CommandLine;
using MLNetDeep.Data;
using MLNetDeep.Estimators.Vision;
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
        var output = new Option<FileInfo>("--output", "-o") { Description = "Where to write the model (.zip); written atomically.", Required = true };
        var defaults = new ObjectDetectorOptions();
        var size = new Option<int>("--input-size") { Description = "Network input side (multiple of 32).", DefaultValueFactory = _ => defaults.InputSize };
        var width = new Option<int>("--width") { Description = "Channels of the backbone stem.", DefaultValueFactory = _ => defaults.BackboneWidth };
        var depth = new Option<int>("--depth") { Description = "Stride-1 blocks after the first block of each backbone stage.", DefaultValueFactory = _ => defaults.BackboneDepth };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the data.", DefaultValueFactory = _ => defaults.NumberOfEpochs };
        var batch = new Option<int>("--batch-size") { Description = "Images per step.", DefaultValueFactory = _ => defaults.BatchSize };
        var lr = new Option<double>("--learning-rate") { Description = "Adam learning rate.", DefaultValueFactory = _ => defaults.LearningRate };
        var schedule = new Option<LearningRateSchedule>("--schedule") { Description = "Learning-rate schedule over the epochs: Constant, Cosine or Step.", DefaultValueFactory = _ => defaults.Schedule };
        var seed = new Option<int>("--seed") { Description = "Seed of initialisation, shuffling and flips.", DefaultValueFactory = _ => 1 };
        var onnx = new Option<FileInfo?>("--onnx") { Description = "Also export the detector to this ONNX file (boxes + scores per default box)." };
        var train = new Command("train", "Train an SSD object detector.");
        data.AddTo(train);
        foreach (var o in new Option[] { output, size, width, depth, epochs, batch, lr, schedule, seed, onnx }) train.Add(o);
        train.SetAction(r =>
        {
            var ctx = new DeepContext(r.GetValue(seed));
            var view = data.Load(ctx, r);
            int n = r.GetValue(epochs);
            var log = r.InvocationConfiguration.Output;
            var model = ctx.Vision.Trainers.ObjectDetector(new ObjectDetectorOptions
            {
                InputSize = r.GetValue(size), BackboneWidth = r.GetValue(width), BackboneDepth = r.GetValue(depth), NumberOfEpochs = n, BatchSize = r.GetValue(batch),
                LearningRate = r.GetValue(lr), Schedule = r.GetValue(schedule), Seed = r.GetValue(seed), Progress = new EpochLines(log),
            }).Fit(view);
            string path = r.GetValue(output)!.FullName;
            ctx.Model.Save(model, view.Schema, path);
            log.WriteLine($"saved {path}");
            if (r.GetValue(onnx) is { } file)
            {
                model.ExportOnnx(file.FullName);
                log.WriteLine($"wrote {file.FullName}");
            }
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
