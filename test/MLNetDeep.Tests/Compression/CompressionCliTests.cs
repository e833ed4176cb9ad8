using MLNetDeep.Estimators.Compression;
using MLNetDeep.Tensors.Nn.Pruning;
using MLNetDeep.Tests.OnnxIntegration;
using NUnit.Framework;

namespace MLNetDeep.Tests.Compression;

/// <summary><c>vision prune</c> and <c>vision compare</c> in-process on test-double models and tiny IDX files.</summary>
public class CompressionCliTests
{
    private string _dir = null!;
    private string _images = null!;
    private string _labels = null!;
    private string _dense = null!;

    [OneTimeSetUp]
    public void SetUp()
    {
        TestNetworkClassifier.EnsureRegistered();
        _dir = Path.Combine(Path.GetTempPath(), "mlnd-prune-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        var rows = CompressionTestData.Synthetic(256, 8, 4);
        _images = Path.Combine(_dir, "images.idx");
        _labels = Path.Combine(_dir, "labels.idx");
        WriteIdx(_images, [rows.Count, 8, 8], rows.SelectMany(r => r.Image.Select(v => (byte)Math.Round(v * 255))).ToArray());
        WriteIdx(_labels, [rows.Count], rows.Select(r => (byte)(r.Label - 1)).ToArray());
        var ctx = new DeepContext(1);
        var model = new TestNetworkClassifier(8, 4, 16, 4, seed: 4);
        var data = ctx.Data.LoadFromEnumerable(rows);
        CompressionTestData.Train(model, data, epochs: 2);
        _dense = Path.Combine(_dir, "dense.zip");
        ctx.Model.Save(model, data.Schema, _dense);
    }

    [OneTimeTearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private static void WriteIdx(string path, int[] dims, byte[] data)
    {
        using var f = File.Create(path);
        f.Write([0, 0, 8, (byte)dims.Length]);
        foreach (int d in dims) f.Write([(byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d]);
        f.Write(data);
    }

    private static (int Code, string Out, string Err) Cli(params string[] args) => OnnxCliTests.Cli(args);

    [Test]
    public void Prune_ThenCompare_WritesAPrunedModelAReportAndCharts()
    {
        string pruned = Path.Combine(_dir, "pruned.zip");
        var (code, output, error) = Cli("vision", "prune", _dense, "--images", _images, "--labels", _labels, "--sparsity", "0.5", "--steps", "1", "--epochs", "1", "--output", pruned);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(output, Does.Contain("sparsity of prunable weights 50.00%"));
        var loaded = (INetworkClassifier)new DeepContext(1).Model.Load(pruned, out _);
        Assert.That(SparsityReport.Of(loaded.Network).Prunable.Sparsity, Is.EqualTo(0.5).Within(1e-3));

        string report = Path.Combine(_dir, "report.md");
        (code, output, error) = Cli("vision", "compare", _dense, pruned, "--test-images", _images, "--test-labels", _labels, "--output", report, "--repetitions", "2");
        Assert.That(code, Is.EqualTo(0), error);
        string md = File.ReadAllText(report);
        Assert.That(md, Does.Contain("| dense.zip |").And.Contain("| pruned.zip |"));
        foreach (var metric in ComparisonReport.Metrics)
            Assert.That(File.Exists(Path.Combine(_dir, $"report-{metric.Key}.svg")), metric.Key);
    }

    [Test]
    public void BadArguments_PrintOneErrorLineNamingTheCulprit()
    {
        var (code, _, error) = Cli("vision", "prune", _dense, "--images", _images, "--labels", _labels, "--sparsity", "1.5", "--output", Path.Combine(_dir, "x.zip"));
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("Sparsity"));
        (code, _, error) = Cli("vision", "compare", Path.Combine(_dir, "missing.zip"), "--test-images", _images, "--test-labels", _labels, "--output", Path.Combine(_dir, "r.md"));
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("missing.zip"));
        (code, _, error) = Cli("vision", "compare", _dense, "--test-images", _images, "--test-labels", _images, "--output", Path.Combine(_dir, "r.md"));
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("images.idx"));
    }
}
