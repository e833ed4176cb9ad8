using System.CommandLine;
using MLNetDeep.Data;
using MLNetDeep.Estimators.Compression;
using MLNetDeep.Persistence;
using MLNetDeep.Tensors.Nn.Pruning;

namespace MLNetDeep.Cli.Verbs;

/// <summary><c>vision prune</c>: magnitude pruning + fine-tuning of a saved image classifier (see <see cref="PruneEstimator"/>).</summary>
public sealed class PruneVerbs : IVerbGroup
{
    /// <inheritdoc/>
    public void Register(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        Estimators.EstimatorsRegistration.EnsureRegistered();
        var model = new Argument<FileInfo>("MODEL") { Description = "A classifier model .zip (image classifier, or any model whose network implements INetworkClassifier)." };
        var images = new Option<FileInfo>("--images") { Description = "Fine-tuning images (IDX, .gz accepted).", Required = true };
        var labels = new Option<FileInfo>("--labels") { Description = "Fine-tuning labels (IDX, .gz accepted).", Required = true };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Where to write the pruned model (.zip); written atomically.", Required = true };
        var sparsity = new Option<double>("--sparsity") { Description = "Final fraction of zero weights (of output channels with --structured), in [0, 1).", DefaultValueFactory = _ => PruneOptions.Defaults.Sparsity };
        var structured = new Option<bool>("--structured") { Description = "Zero whole output channels (L2 norm) instead of single weights." };
        var perLayer = new Option<bool>("--per-layer") { Description = "Unstructured: prune every layer to the target instead of one global threshold." };
        var steps = new Option<int>("--steps") { Description = "Prune → fine-tune rounds (cubic schedule).", DefaultValueFactory = _ => PruneOptions.Defaults.PruningSteps };
        var epochs = new Option<int>("--epochs") { Description = "Fine-tune epochs after each round (0: prune only).", DefaultValueFactory = _ => PruneOptions.Defaults.NumberOfEpochs };
        var batch = new Option<int>("--batch-size") { Description = "Rows per fine-tune step.", DefaultValueFactory = _ => PruneOptions.Defaults.BatchSize };
        var lr = new Option<double>("--learning-rate") { Description = "Adam learning rate of the fine-tuning.", DefaultValueFactory = _ => PruneOptions.Defaults.LearningRate };
        var seed = new Option<int>("--seed") { Description = "Seed of the fine-tune shuffling.", DefaultValueFactory = _ => 1 };
        var prune = new Command("prune", "Prune a classifier's Conv2d/Linear weights by magnitude, fine-tune it on labelled images, and print its sparsity.") { model };
        foreach (var o in new Option[] { images, labels, output, sparsity, structured, perLayer, steps, epochs, batch, lr, seed }) prune.Add(o);
        prune.SetAction(r => Guard(r, () =>
        {
            var file = ClassifierModelFile.Load(r.GetValue(model)!.FullName);
            var ctx = new DeepContext(r.GetValue(seed));
            var data = ctx.Data.LoadFromIdx(r.GetValue(images)!.FullName, r.GetValue(labels)!.FullName);
            var options = new PruneOptions
            {
                Sparsity = r.GetValue(sparsity),
                Method = r.GetValue(structured) ? PruningMethod.Structured : PruningMethod.Unstructured,
                Scope = r.GetValue(perLayer) ? PruningScope.PerLayer : PruningScope.Global,
                PruningSteps = r.GetValue(steps),
                NumberOfEpochs = r.GetValue(epochs),
                BatchSize = r.GetValue(batch),
                LearningRate = r.GetValue(lr),
                Seed = r.GetValue(seed),
            };
            var w = r.InvocationConfiguration.Output;
            options.Progress = new EpochLines(w);
            var estimator = ctx.Transforms.Prune(file.Classifier, options);
            var pruned = estimator.Fit(data);
            foreach (var s in estimator.Steps)
                w.WriteLine(FormattableString.Invariant($"round {s.Step}: target {s.TargetSparsity * 100:F1}%, sparsity {s.Sparsity * 100:F1}%, fine-tune loss {s.TrainLoss:F4}"));
            string path = r.GetValue(output)!.FullName;
            ModelArchive.Save(file.With(pruned), file.InputSchema, path);
            w.Write(estimator.Report!.ToMarkdown());
            w.WriteLine(FormattableString.Invariant($"sparsity of prunable weights {estimator.Report.Prunable.Sparsity * 100:F2}%, of all parameters {estimator.Report.Total.Sparsity * 100:F2}%"));
            w.WriteLine(FormattableString.Invariant($"accuracy on the fine-tuning data: {ModelComparison.Accuracy(pruned, data) * 100:F2}%"));
            w.WriteLine($"saved {path}");
            return 0;
        }));
        VerbGroups.Verb(root, "vision").Add(prune);
    }

    /// <summary>One line per fine-tune epoch, written to the command's output (no live console, so it works in pipes and tests).</summary>
    private sealed class EpochLines(TextWriter writer) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.IsEpochEnd)
                writer.WriteLine(FormattableString.Invariant($"fine-tune epoch {value.Epoch}/{value.NumberOfEpochs}: loss {value.TrainLoss:F4} ({value.RowsPerSecond:F0} rows/s)"));
        }
    }

    /// <summary>Runs a compression verb; expected failures print one line naming the culprit and exit with 1.</summary>
    internal static int Guard(ParseResult r, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is ModelFormatException or DataLoadException or SchemaMismatchException or IOException
                                      or ArgumentException or UnauthorizedAccessException or InvalidOperationException)
        {
            r.InvocationConfiguration.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}
