using System.CommandLine;
using MLNetDeep.Estimators.Compression;

namespace MLNetDeep.Cli.Verbs;

/// <summary><c>vision compare</c>: accuracy, parameters, file sizes and latency of classifier models side by side (markdown + SVG charts).</summary>
public sealed class CompareVerbs : IVerbGroup
{
    /// <inheritdoc/>
    public void Register(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        Estimators.EstimatorsRegistration.EnsureRegistered();
        var models = new Argument<FileInfo[]>("MODELS") { Description = "Classifier model .zip files (float, pruned, quantized…).", Arity = ArgumentArity.OneOrMore };
        var images = new Option<FileInfo>("--test-images") { Description = "Test images (IDX, .gz accepted).", Required = true };
        var labels = new Option<FileInfo>("--test-labels") { Description = "Test labels (IDX, .gz accepted).", Required = true };
        var output = new Option<FileInfo>("--output", "-o") { Description = "The markdown report; one NAME-METRIC.svg chart per metric is written beside it.", Required = true };
        var batch = new Option<int>("--batch-size") { Description = "Rows per timed forward pass.", DefaultValueFactory = _ => 64 };
        var repetitions = new Option<int>("--repetitions") { Description = "Timed forward passes per model (median reported).", DefaultValueFactory = _ => 20 };
        var compare = new Command("compare", "Compare classifier models: accuracy, parameters, non-zero parameters, model and ONNX file size, latency; writes markdown and SVG bar charts.") { models };
        foreach (var o in new Option[] { images, labels, output, batch, repetitions }) compare.Add(o);
        compare.SetAction(r => PruneVerbs.Guard(r, () =>
        {
            var ctx = new DeepContext(1);
            var data = ctx.Data.LoadFromIdx(r.GetValue(images)!.FullName, r.GetValue(labels)!.FullName);
            var rows = new List<ModelMeasurement>();
            foreach (var path in r.GetValue(models)!)
            {
                var file = ClassifierModelFile.Load(path.FullName);
                rows.Add(ModelComparison.Measure(path.Name, file.Classifier, data, "Label", path.FullName, r.GetValue(batch), r.GetValue(repetitions)));
            }
            string report = r.GetValue(output)!.FullName;
            var charts = ComparisonReport.Write(rows, report);
            var w = r.InvocationConfiguration.Output;
            w.Write(ComparisonReport.Markdown(rows));
            w.WriteLine($"wrote {report} and {charts.Count} charts");
            return 0;
        }));
        VerbGroups.Verb(root, "vision").Add(compare);
    }
}
