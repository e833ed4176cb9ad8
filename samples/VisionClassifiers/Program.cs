// Fashion-MNIST image classifiers and distillation with MLNetDeep.
//   dotnet run -c Release --project samples/VisionClassifiers -- train --arch ResNet --depth 8 --width 16 --epochs 3 --out model.zip
//   dotnet run -c Release --project samples/VisionClassifiers -- profile
//   dotnet run -c Release --project samples/VisionClassifiers -- distill --teacher teacher.zip --train-size 2000 --seeds 3
// The data directory is $MLNETDEEP_FASHION_MNIST or /usr/share/datasets/fashion-mnist (package dataset-fashion-mnist).
using System.Diagnostics;
using System.Globalization;
using MLNetDeep;
using MLNetDeep.Data;
using MLNetDeep.Estimators.Vision;

var arguments = SampleArguments.Parse(args);
string dir = FashionMnistFiles.ResolveDirectory();
string File(string split, string kind) => FashionMnistFiles.Find(dir, split, kind);
var ctx = new DeepContext(seed: 1);
IdxDataView LoadSplit(string split) => ctx.Data.LoadFromIdx(File(split, "images-idx3"), File(split, "labels-idx1"));

switch (arguments.Mode)
{
    case "train": Train(); break;
    case "profile": Profile(); break;
    case "distill": Distillation.Run(ctx, LoadSplit("train"), LoadSplit("t10k"), arguments); break;
    default: Console.Error.WriteLine("usage: VisionClassifiers train|profile|distill [--option value ...]"); return 2;
}
return 0;

void Train()
{
    var train = Subsets.Take(ctx, LoadSplit("train"), arguments.Int("train-size", 60000));
    var test = LoadSplit("t10k");
    var options = arguments.ClassifierOptions();
    options.Progress = new SyncProgress(p => Console.WriteLine(FormattableString.Invariant(
        $"{(p.IsEpochEnd ? "epoch end" : "step")} {p.Epoch}/{p.NumberOfEpochs} (step {p.Step}): loss {p.TrainLoss:F4}, {p.RowsPerSecond:F0} rows/s, {p.Elapsed.TotalMinutes:F1} min")));
    options.ProgressInterval = arguments.Int("progress", 50);
    var clock = Stopwatch.StartNew();
    var model = ctx.Vision.Trainers.ImageClassifier(options).Fit(train);
    double minutes = clock.Elapsed.TotalMinutes;
    var metrics = ctx.Vision.Evaluate(model.Transform(test));
    Console.WriteLine(FormattableString.Invariant($"{Describe(options)}: test accuracy {metrics.Accuracy:P2}, macro-F1 {metrics.MacroF1:F4}, {model.Network.ParameterCount} parameters, {minutes:F1} min training"));
    string output = arguments.String("out", Path.Combine(Path.GetTempPath(), "vision-model.zip"));
    ctx.Model.Save(model, train.Schema, output);
    var reloaded = ctx.Model.Load(output, out _);
    Console.WriteLine(FormattableString.Invariant($"saved {output}; reloaded accuracy {ctx.Vision.Evaluate(reloaded.Transform(test)).Accuracy:P2}"));
    string onnx = Path.ChangeExtension(output, ".onnx");
    ctx.Model.ExportOnnx(model, test, onnx);
    // ApplyOnnxModel gives the graph's outputs as they are (PredictedLabel as an int64 vector), so compare the Score arg-max.
    var scored = ctx.Transforms.ApplyOnnxModel(onnx).Fit(test).Transform(test);
    var scores = scored.GetColumn<float[]>("Score");
    var truth = scored.GetColumn<uint>("Label");
    double onnxAccuracy = scores.Zip(truth).Count(p => Array.IndexOf(p.First, p.First.Max()) + 1 == p.Second) / (double)truth.Count;
    Console.WriteLine(FormattableString.Invariant($"exported {onnx}; ONNX (our runtime) accuracy {onnxAccuracy:P2}"));
}

void Profile()
{
    var data = Subsets.Take(ctx, LoadSplit("train"), 512);
    foreach (var spec in arguments.String("archs", "Mlp,SmallCnn:32,MobileNetV1:0.5,MobileNetV2:0.5,ResNet:8:16,ResNet:14:16,ResNet:20:16,DenseNet:12:4").Split(','))
    {
        var o = SampleArguments.FromSpec(spec);
        o.NumberOfEpochs = 1;
        o.BatchSize = 128;
        o.Seed = 1;
        var clock = Stopwatch.StartNew();
        var model = ctx.Vision.Trainers.ImageClassifier(o).Fit(data);
        double perImage = clock.Elapsed.TotalMilliseconds / 512;
        Console.WriteLine(FormattableString.Invariant($"{spec,-16} {model.Network.ParameterCount,9} params  {1000 / perImage,7:F0} training images/s  ≈ {perImage * 60000 / 60000:F1} min per 60k epoch"));
    }
}

static string Describe(ImageClassifierOptions o) => o.Architecture switch
{
    ImageArchitecture.Mlp => $"Mlp hidden {o.HiddenSize}",
    ImageArchitecture.SmallCnn => $"SmallCnn width {o.Width}",
    ImageArchitecture.MobileNetV1 or ImageArchitecture.MobileNetV2 => string.Create(CultureInfo.InvariantCulture, $"{o.Architecture} ×{o.WidthMultiplier}"),
    ImageArchitecture.ResNet => $"ResNet-{o.Depth} width {o.Width}",
    _ => $"DenseNet growth {o.GrowthRate}, {o.DenseLayers} layers/block",
} + $", {o.NumberOfEpochs} epochs";

/// <summary>Reports on the training thread (Progress&lt;T&gt; would post to the thread pool).</summary>
internal sealed class SyncProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value) => report(value);
}
