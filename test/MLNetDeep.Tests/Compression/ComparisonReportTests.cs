using System.Globalization;
using System.Xml.Linq;
using MLNetDeep.Data;
using MLNetDeep.Estimators.Compression;
using MLNetDeep.Tensors.Nn.Pruning;
using NUnit.Framework;

namespace MLNetDeep.Tests.Compression;

/// <summary>The comparison library: measurements of real models, the markdown table and the SVG charts on hand rows.</summary>
public class ComparisonReportTests
{
    private static readonly ModelMeasurement[] Rows =
    [
        new("dense.zip", 0.9, 1000, 1000, 4096, 3072, 64, 12.8),
        new("pruned <80%>.zip", 0.85, 1000, 200, 2048, null, 64, 6.4),
    ];

    [Test]
    public void Markdown_HasOneRowPerModel_WithEveryColumn()
    {
        string md = ComparisonReport.Markdown(Rows, new Dictionary<string, string> { ["accuracy"] = "r-accuracy.svg" });
        Assert.That(md, Does.Contain("| dense.zip | 90.00% | 1,000 | 1,000 (100.0%) | 4.0 KiB | 3.0 KiB | 64 | 12.80 | 0.200 |"));
        Assert.That(md, Does.Contain("| pruned <80%>.zip | 85.00% | 1,000 | 200 (20.0%) | 2.0 KiB | n/a | 64 | 6.40 | 0.100 |"));
        Assert.That(md, Does.Contain("![Test accuracy (%)](r-accuracy.svg)"));
        Assert.That(Rows[1].Sparsity, Is.EqualTo(0.8).Within(1e-12));
    }

    [Test]
    public void BarChart_IsWellFormedSvg_WithBarsProportionalToValues_AndNaForMissing()
    {
        foreach (var metric in ComparisonReport.Metrics)
        {
            var svg = XDocument.Parse(ComparisonReport.BarChart(Rows, metric));
            XNamespace ns = "http://www.w3.org/2000/svg";
            var bars = svg.Root!.Elements(ns + "rect").Skip(1).Select(r => double.Parse(r.Attribute("width")!.Value, CultureInfo.InvariantCulture)).ToList();
            Assert.That(bars, Has.Count.EqualTo(2), metric.Key);
            var texts = svg.Root.Elements(ns + "text").Select(t => t.Value).ToList();
            Assert.That(texts, Does.Contain("pruned <80%>.zip"), "names are escaped, not dropped");
            if (metric.Key == "onnx-size")
            {
                Assert.That(bars[1], Is.Zero);
                Assert.That(texts, Does.Contain("n/a"));
                continue;
            }
            double expectedRatio = metric.Value(Rows[1])!.Value / metric.Value(Rows[0])!.Value;
            Assert.That(bars[1] / bars[0], Is.EqualTo(expectedRatio).Within(0.01), metric.Key);
        }
    }

    [Test]
    public void Measure_CountsStoredAndNonZeroWeights_FileSizes_AndLatency()
    {
        TestNetworkClassifier.EnsureRegistered();
        var ctx = new DeepContext(1);
        var data = ctx.Data.LoadFromEnumerable(CompressionTestData.Synthetic(96, 8, 2));
        var model = new TestNetworkClassifier(8, 4, 16, 4, seed: 2);
        MagnitudePruner.Prune(model.Network, PruningMethod.Unstructured, 0.5);
        string dir = Path.Combine(Path.GetTempPath(), "mlnd-compare-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string zip = Path.Combine(dir, "m.zip");
            ctx.Model.Save(model, data.Schema, zip);
            var m = ModelComparison.Measure("m.zip", model, data, "Label", zip, batchSize: 32, repetitions: 3);
            var state = model.Network.StateDict().Where(p => !p.Key.Contains("running_") && !p.Key.Contains("num_batches")).ToList();
            long stored = state.Sum(p => (long)p.Value.Numel);
            Assert.That(m.Parameters, Is.EqualTo(stored));
            Assert.That(m.NonZeroParameters, Is.EqualTo(stored - state.Sum(p => SparsityReport.CountZeros(p.Value))));
            Assert.That(m.Parameters - m.NonZeroParameters, Is.GreaterThanOrEqualTo(SparsityReport.Of(model.Network).Prunable.Zeros));
            Assert.That(m.ModelFileBytes, Is.EqualTo(new FileInfo(zip).Length));
            Assert.That(m.OnnxFileBytes, Is.GreaterThan(4 * stored), "float32 initializers");
            Assert.That(m.BatchSize, Is.EqualTo(32));
            Assert.That(m.MillisecondsPerBatch, Is.GreaterThan(0));
            Assert.That(m.Accuracy, Is.EqualTo(ModelComparison.Accuracy(model, data)));
            var charts = ComparisonReport.Write([m], Path.Combine(dir, "report.md"));
            Assert.That(charts.Select(Path.GetFileName), Is.EquivalentTo(ComparisonReport.Metrics.Select(x => $"report-{x.Key}.svg")));
            Assert.That(File.ReadAllText(Path.Combine(dir, "report.md")), Does.Contain("| m.zip |"));
            Assert.That(Assert.Throws<SchemaMismatchException>(() => ModelComparison.Accuracy(model, data, "Missing"))!.ColumnName, Is.EqualTo("Missing"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
