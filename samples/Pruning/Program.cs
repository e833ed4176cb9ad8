// Accuracy vs sparsity on Fashion-MNIST: trains the image classifier's SmallCnn, then prunes copies of it to each sparsity, with and
// without fine-tuning, and measures test accuracy; finally compares the dense and 80%-sparse models (report + charts).
// dotnet run -c Release --project samples/Pruning -- [--train 20000] [--finetune 10000] [--epochs 4] [--structured] [--dense DENSE.zip] [--out DIR]
using System.Globalization;
using MLNetDeep;
using MLNetDeep.Data;
using MLNetDeep.Estimators.Compression;
using MLNetDeep.Estimators.Vision;
using MLNetDeep.Tensors.Nn.Pruning;

string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
int trainRows = int.Parse(Arg("--train", "20000"), CultureInfo.InvariantCulture);
int tuneRows = int.Parse(Arg("--finetune", "10000"), CultureInfo.InvariantCulture);
int epochs = int.Parse(Arg("--epochs", "4"), CultureInfo.InvariantCulture);
bool structured = args.Contains("--structured");
string outDir = Arg("--out", "pruning-out");
string dir = FashionMnistFiles.ResolveDirectory();
Directory.CreateDirectory(outDir);

List<FashionRow> Load(string split, int count)
{
    var images = IdxFile.Read(FashionMnistFiles.Find(dir, split, FashionMnistFiles.Images));
    var labels = IdxFile.Read(FashionMnistFiles.Find(dir, split, FashionMnistFiles.Labels));
    int size = images.ItemSize;
    return Enumerable.Range(0, Math.Min(count, images.Count)).Select(i => new FashionRow
    {
        Image = images.Data.AsSpan(i * size, size).ToArray().Select(b => b / 255f).ToArray(),
        Label = labels.Data[i] + 1u,
    }).ToList();
}

var ctx = new DeepContext(1);
var train = ctx.Data.LoadFromEnumerable(Load("train", trainRows));
var tune = ctx.Data.LoadFromEnumerable(Load("train", tuneRows));
var test = ctx.Data.LoadFromEnumerable(Load("t10k", 10_000));
var clock = System.Diagnostics.Stopwatch.StartNew();
void Log(string line)
{
    Console.WriteLine(FormattableString.Invariant($"[{clock.Elapsed.TotalMinutes:F1} min] {line}"));
}

// --dense PATH reuses a SmallCnn saved by an earlier run instead of training one.
var dense = Arg("--dense", "") is { Length: > 0 } densePath
    ? (ImageClassificationTransformer)ctx.Model.Load(densePath, out _)
    : ctx.Vision.Trainers.ImageClassifier(new ImageClassifierOptions { Architecture = ImageArchitecture.SmallCnn, NumberOfEpochs = epochs, Seed = 1 }).Fit(train);
double denseAccuracy = ModelComparison.Accuracy(dense, test);
Log(FormattableString.Invariant($"dense SmallCnn: {trainRows} rows x {epochs} epochs, test accuracy {denseAccuracy * 100:F2}%"));
ctx.Model.Save(dense, train.Schema, Path.Combine(outDir, "dense.zip"));

var method = structured ? PruningMethod.Structured : PruningMethod.Unstructured;
Console.WriteLine($"| {method} sparsity | prunable zeros | all zeros | accuracy, pruned only | accuracy, 3 rounds x 1 epoch fine-tune | change vs dense | change vs dense fine-tuned alike |");
Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
double control = double.NaN;
// Sparsity 0 with the same fine-tuning is the control: the dense network trained as many more epochs.
foreach (double s in new[] { 0.0, 0.2, 0.4, 0.6, 0.8, 0.9, 0.95 })
{
    var cut = ctx.Transforms.Prune(dense, new PruneOptions { Sparsity = s, Method = method, PruningSteps = 1, NumberOfEpochs = 0, Seed = 2 }).Fit(tune);
    var estimator = ctx.Transforms.Prune(dense, new PruneOptions { Sparsity = s, Method = method, PruningSteps = 3, NumberOfEpochs = 1, Seed = 2 });
    var tuned = estimator.Fit(tune);
    double a = ModelComparison.Accuracy(tuned, test);
    if (s == 0) control = a;
    Console.WriteLine(FormattableString.Invariant(
        $"| {s * 100:F0}% | {estimator.Report!.Prunable.Sparsity * 100:F1}% | {estimator.Report.Total.Sparsity * 100:F1}% | {ModelComparison.Accuracy(cut, test) * 100:F2}% | {a * 100:F2}% | {(a - denseAccuracy) * 100:+0.00;-0.00} | {(a - control) * 100:+0.00;-0.00} |"));
    if (Math.Abs(s - 0.8) < 1e-9)
    {
        ctx.Model.Save(tuned, train.Schema, Path.Combine(outDir, $"{method.ToString().ToLowerInvariant()}80.zip"));
        Console.Write(estimator.Report.ToMarkdown());
    }
}
Log("sweep done");

var rows = new List<ModelMeasurement>();
foreach (var name in new[] { "dense.zip", $"{method.ToString().ToLowerInvariant()}80.zip" })
{
    string path = Path.Combine(outDir, name);
    rows.Add(ModelComparison.Measure(name, (INetworkClassifier)ctx.Model.Load(path, out _), test, "Label", path));
}
ComparisonReport.Write(rows, Path.Combine(outDir, "compare.md"));
Console.Write(ComparisonReport.Markdown(rows));
Log("done");

/// <summary>One Fashion-MNIST example (the image classifier's columns).</summary>
internal sealed class FashionRow
{
    /// <summary>28×28 pixels in [0, 1].</summary>
    [VectorType(784)] public float[] Image { get; set; } = [];

    /// <summary>Class key 1..10.</summary>
    [KeyType(10)] public uint Label { get; set; }
}
