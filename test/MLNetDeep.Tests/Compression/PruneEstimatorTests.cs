using MLNetDeep.Data;
using MLNetDeep.Estimators.Compression;
using MLNetDeep.Onnx;
using MLNetDeep.OnnxExport;
using MLNetDeep.Persistence;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn.Pruning;
using MLNetDeep.Tests.Onnx.Export;
using NUnit.Framework;

namespace MLNetDeep.Tests.Compression;

/// <summary>ctx.Transforms.Prune on the test double: schedule, masks through fine-tuning, seeds, progress, cancellation, save/load/ONNX, errors.</summary>
public class PruneEstimatorTests : OnnxExportTestBase
{
    private const int Side = 8;
    private DeepContext _ctx = null!;
    private IDataView _train = null!;
    private TestNetworkClassifier _dense = null!;

    [OneTimeSetUp]
    public void TrainDense()
    {
        TestNetworkClassifier.EnsureRegistered();
        _ctx = new DeepContext(1);
        _train = _ctx.Data.LoadFromEnumerable(CompressionTestData.Synthetic(512, Side, 1));
        _dense = new TestNetworkClassifier(Side, 4, 16, 4, seed: 1);
        CompressionTestData.Train(_dense, _train, epochs: 8);
    }

    private PruneOptions Options(double sparsity = 0.8, PruningMethod method = PruningMethod.Unstructured) =>
        new() { Sparsity = sparsity, Method = method, PruningSteps = 2, NumberOfEpochs = 1, Seed = 3, ProgressInterval = 0 };

    [Test]
    public void Fit_PrunesACopyToTheTarget_KeepsTheOriginal_AndFineTunes()
    {
        var before = _dense.Network.StateDict().ToDictionary(p => p.Key, p => p.Value.ToDoubleArray());
        var reports = new List<TrainingProgress>();
        var options = Options();
        options.Progress = new Progress(reports);
        var estimator = _ctx.Transforms.Prune(_dense, options);
        var pruned = estimator.Fit(_train);
        Assert.That(pruned, Is.InstanceOf<TestNetworkClassifier>());
        Assert.That(pruned.Network, Is.Not.SameAs(_dense.Network));
        foreach (var (k, v) in _dense.Network.StateDict()) Assert.That(v.ToDoubleArray(), Is.EqualTo(before[k]), $"original {k} unchanged");
        var report = estimator.Report!;
        long prunable = report.Prunable.Parameters;
        Assert.That(report.Prunable.Zeros, Is.EqualTo((long)Math.Round(0.8 * prunable, MidpointRounding.AwayFromZero)), "exactly 80% after fine-tuning");
        Assert.That(estimator.Steps.Select(s => s.TargetSparsity), Is.EqualTo(PruningSchedule.Cubic(0, 0.8, 2)));
        Assert.That(estimator.Steps.All(s => double.IsFinite(s.TrainLoss)));
        Assert.That(reports.Where(r => r.IsEpochEnd).Select(r => r.Epoch), Is.EqualTo(new[] { 1, 2 }));
        Assert.That(SparsityReport.Of(pruned.Network).Prunable.Zeros, Is.EqualTo(report.Prunable.Zeros));
        // Fine-tuning keeps the accuracy of the dense network on this easy task.
        Assert.That(ModelComparison.Accuracy(_dense, _train), Is.GreaterThan(0.9));
        Assert.That(ModelComparison.Accuracy(pruned, _train), Is.GreaterThan(0.9));
    }

    [Test]
    public void Fit_Structured_ZeroesWholeChannels_AfterFineTuning()
    {
        var pruned = _ctx.Transforms.Prune(_dense, Options(0.5, PruningMethod.Structured)).Fit(_train);
        var layers = PrunableLayer.Find(pruned.Network);
        foreach (var l in layers.Take(layers.Count - 1))
        {
            var w = l.Weight.ToArray<float>();
            int fanIn = w.Length / l.OutputChannels;
            int zeroRows = Enumerable.Range(0, l.OutputChannels).Count(c => w.Skip(c * fanIn).Take(fanIn).All(v => v == 0));
            Assert.That(zeroRows, Is.EqualTo(l.OutputChannels / 2), l.Name);
        }
    }

    [Test]
    public void Fit_IsReproducibleWithASeed()
    {
        var a = _ctx.Transforms.Prune(_dense, Options()).Fit(_train).Network.StateDict();
        var b = _ctx.Transforms.Prune(_dense, Options()).Fit(_train).Network.StateDict();
        foreach (var (k, v) in a) Assert.That(b[k].ToDoubleArray(), Is.EqualTo(v.ToDoubleArray()), k);
    }

    [Test]
    public void Fit_HonoursCancellation()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var options = Options();
        options.CancellationToken = cts.Token;
        Assert.Throws<OperationCanceledException>(() => _ctx.Transforms.Prune(_dense, options).Fit(_train));
    }

    [Test]
    public void PrunedModel_SavesLoadsAndExportsToOnnx_WithIdenticalOutputs()
    {
        var pruned = _ctx.Transforms.Prune(_dense, Options()).Fit(_train);
        string zip = Path.Combine(TempDir, "pruned.zip");
        _ctx.Model.Save(pruned, _train.Schema, zip);
        var loaded = (INetworkClassifier)_ctx.Model.Load(zip, out _);
        var x = Input(11, 5, 1, Side, Side);
        Tensor expected, actual;
        using (Tensor.NoGrad())
        {
            expected = pruned.Network.Forward(x);
            actual = loaded.Network.Forward(x);
        }
        Assert.That(actual.ToArray<float>(), Is.EqualTo(expected.ToArray<float>()), "bit-identical after load");
        Assert.That(SparsityReport.Of(loaded.Network).Prunable.Zeros, Is.EqualTo(SparsityReport.Of(pruned.Network).Prunable.Zeros));
        // ONNX: the checker accepts it, ONNX Runtime and our runtime give the engine's logits.
        string onnx = AssertExportMatches(loaded.Network, OnnxTensorSpec.Float("input", OnnxDim.Dynamic("batch", 2), 1, Side, Side), [x, Input(12, 2, 1, Side, Side)]);
        var ours = new OnnxSession(onnx).Run(new Dictionary<string, Tensor> { ["input"] = x }).Values.Single();
        AssertClose("our ONNX runtime", expected, ours);
    }

    [Test]
    public void BadOptionsAndColumns_ThrowTypedErrorsNamingThem()
    {
        foreach (var (options, name) in new (PruneOptions, string)[]
        {
            (new PruneOptions { Sparsity = 1 }, "Sparsity"),
            (new PruneOptions { Sparsity = -0.2 }, "Sparsity"),
            (new PruneOptions { PruningSteps = 0 }, "PruningSteps"),
            (new PruneOptions { NumberOfEpochs = -1 }, "NumberOfEpochs"),
            (new PruneOptions { NormOrder = 3 }, "NormOrder"),
            (new PruneOptions { LearningRate = 0 }, "LearningRate"),
            (new PruneOptions { BatchSize = 0 }, "BatchSize"),
        })
            Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => _ctx.Transforms.Prune(_dense, options))!.ParamName, Is.EqualTo(name));
        Assert.Throws<ArgumentNullException>(() => _ctx.Transforms.Prune(null!, new PruneOptions()));
        var estimator = _ctx.Transforms.Prune(_dense, new PruneOptions { LabelColumnName = "Category" });
        Assert.That(Assert.Throws<SchemaMismatchException>(() => estimator.Fit(_train))!.ColumnName, Is.EqualTo("Category"));
        Assert.That(Assert.Throws<SchemaMismatchException>(() => estimator.GetOutputSchema(_train.Schema))!.ColumnName, Is.EqualTo("Category"));
    }

    private sealed class Progress(List<TrainingProgress> sink) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => sink.Add(value);
    }
}
