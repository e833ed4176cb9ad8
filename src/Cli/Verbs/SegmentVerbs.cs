using System.CommandLine;
using System.Globalization;
using MLNetDeep.Data;
using MLNetDeep.Estimators.Vision.Segmentation;
using MLNetDeep.Tensors;

namespace MLNetDeep.Cli.Verbs;

/// <summary>
/// <c>segment train|evaluate|predict</c>: trains the FCN semantic segmenter on generated Fashion-MNIST scenes (the data
/// with a <c>Mask</c> column), prints mean IoU and pixel accuracy of a saved segmenter, and writes PNG pictures of the
/// image, the true mask and the predicted mask side by side.
/// </summary>
public sealed class SegmentVerbs : IVerbGroup
{
    /// <inheritdoc/>
    public void Register(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var group = new Command("segment", "Semantic segmentation: train an FCN segmenter, evaluate it (mIoU), draw its masks.");
        group.Add(TrainCommand());
        group.Add(EvaluateCommand());
        group.Add(PredictCommand());
        root.Add(group);
    }

    private static Command TrainCommand()
    {
        var data = new DetectionDataCliOptions();
        var d = new SemanticSegmenterOptions();
        var o = new VisionTrainCliOptions(d.InputSize, d.Width, d.Depth, d.NumberOfEpochs, d.BatchSize, d.LearningRate, d.Schedule,
            "Also export the segmenter to this ONNX file (per-pixel logits).");
        var train = new Command("train", "Train an FCN semantic segmenter (needs a Mask column: generated scenes).");
        data.AddTo(train);
        o.AddTo(train);
        train.SetAction(r =>
        {
            var ctx = new DeepContext(r.GetValue(o.Seed));
            var view = data.Load(ctx, r);
            var model = ctx.Vision.Trainers.SemanticSegmenter(new SemanticSegmenterOptions
            {
                InputSize = r.GetValue(o.InputSize), Width = r.GetValue(o.Width), Depth = r.GetValue(o.Depth), NumberOfEpochs = r.GetValue(o.Epochs),
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
        var model = new Argument<FileInfo>("model") { Description = "A model written by 'segment train'." };
        var evaluate = new Command("evaluate", "Mean IoU, pixel accuracy and per-class IoU of a segmenter on scenes with masks.") { model };
        data.AddTo(evaluate);
        evaluate.SetAction(r =>
        {
            var ctx = new DeepContext(1);
            var segmenter = Load(ctx, r.GetValue(model)!);
            var scored = segmenter.Transform(data.Load(ctx, r));
            var metrics = ctx.Vision.EvaluateSegmenter(scored, segmenter.Network.Classes, "Mask", segmenter.PredictedMaskColumnName, ClassNames(segmenter));
            r.InvocationConfiguration.Output.Write(metrics.ToString());
            return 0;
        });
        return evaluate;
    }

    private static Command PredictCommand()
    {
        var data = new DetectionDataCliOptions();
        var model = new Argument<FileInfo>("model") { Description = "A model written by 'segment train'." };
        var output = new Option<DirectoryInfo>("--output-dir", "-o") { Description = "Folder for the PNG pictures (created if needed).", Required = true };
        var limit = new Option<int>("--limit") { Description = "Pictures to write at most.", DefaultValueFactory = _ => 16 };
        var predict = new Command("predict", "Write PNGs of image | true mask | predicted mask (class colours) and an index.html report.") { model, output, limit };
        data.AddTo(predict);
        predict.SetAction(r =>
        {
            var ctx = new DeepContext(1);
            var segmenter = Load(ctx, r.GetValue(model)!);
            var scored = segmenter.Transform(data.Load(ctx, r));
            var dir = r.GetValue(output)!;
            Directory.CreateDirectory(dir.FullName);
            var image = scored.Schema[segmenter.ImageColumnName];
            var predicted = scored.Schema[segmenter.PredictedMaskColumnName];
            var truth = scored.Schema.GetColumnOrNull("Mask");
            var columns = truth is { } t ? new[] { image, predicted, t } : [image, predicted];
            var names = ClassNames(segmenter);
            var report = new PictureReport("MLNetDeep segmentations", truth is null ? "Image | predicted mask" : "Image | true mask | predicted mask");
            int written = 0, max = r.GetValue(limit);
            using var cursor = scored.GetRowCursor(columns);
            while (written < max && cursor.MoveNext())
            {
                var picture = cursor.GetValue<Tensor>(image);
                int h = picture.Size(1), w = picture.Size(2);
                var mask = cursor.GetValue<int[]>(predicted);
                var panels = new List<Tensor> { picture };
                if (truth is { } tc) panels.Add(MaskPainter.Colorize(cursor.GetValue<int[]>(tc), h, w));
                panels.Add(MaskPainter.Colorize(mask, h, w));
                string file = Path.Combine(dir.FullName, $"segmentation_{written:D4}.png");
                ImageCodec.SavePng(MaskPainter.SideBySide(panels), file);
                string found = string.Join(", ", mask.Where(c => c > 0).Distinct().Order().Select(c => Name(names, c)));
                r.InvocationConfiguration.Output.WriteLine($"{file}: {found}");
                report.Add(Path.GetFileName(file), found.Length == 0 ? "(background only)" : found);
                written++;
            }
            r.InvocationConfiguration.Output.WriteLine($"report {report.Save(dir.FullName)}");
            return 0;
        });
        return predict;
    }

    /// <summary>Background plus the object classes, as the evaluator names them.</summary>
    private static string[]? ClassNames(SemanticSegmentationTransformer segmenter) =>
        segmenter.ClassNames is { } names ? ["background", .. names] : null;

    private static string Name(string[]? names, int c) => names is not null && c < names.Length ? names[c] : c.ToString(CultureInfo.InvariantCulture);

    private static SemanticSegmentationTransformer Load(DeepContext ctx, FileInfo path) => ModelComponent.Find<SemanticSegmentationTransformer>(ctx, path, "semantic segmenter");
}
