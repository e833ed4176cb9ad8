using MLNetDeep.Data;
using MLNetDeep.Estimators.Vision.Segmentation;
using MLNetDeep.Onnx;
using MLNetDeep.Tensors;
using MLNetDeep.Tests.Onnx.Export;
using NUnit.Framework;

namespace MLNetDeep.Tests.Detection;

/// <summary>The FCN segmenter on 64×64 synthetic scenes: shapes, a short training run, save/load and ONNX export.</summary>
[TestFixture]
public sealed class SemanticSegmenterTests : OnnxExportTestBase
{
    private DeepContext _ctx = null!;
    private IDataView _train = null!;
    private SemanticSegmentationTransformer _model = null!;
    private readonly List<TrainingProgress> _epochs = [];

    private static SemanticSegmenterOptions TinyOptions(int epochs) => new()
    {
        InputSize = 64, Width = 8, NumberOfEpochs = epochs, BatchSize = 16, LearningRate = 1e-2, Seed = 5, ProgressInterval = 0,
    };

    private sealed class SyncProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    [OneTimeSetUp]
    public void TrainOnce()
    {
        _ctx = new DeepContext(seed: 1);
        _train = _ctx.Data.GenerateDetectionScenes(SceneTestData.SyntheticItems(), ObjectDetectorTests.SmallScenes(48, 4));
        var options = TinyOptions(12);
        options.Progress = new SyncProgress(p => { if (p.IsEpochEnd) _epochs.Add(p); });
        _model = _ctx.Vision.Trainers.SemanticSegmenter(options).Fit(_train);
    }

    [Test]
    public void Network_KeepsTheInputSize()
    {
        var net = new FcnNetwork(4, 4, 1, new Generator(1));
        Assert.That(net.Forward(Tensor.Rand([2, 3, 32, 64], new Generator(2))).Shape.ToArray(), Is.EqualTo(new[] { 2, 4, 32, 64 }));
        Assert.Throws<ArgumentException>(() => net.Forward(Tensor.Rand([1, 3, 48, 32], new Generator(2))));
    }

    [Test]
    public void Training_LowersTheLossAndBeatsAllBackground()
    {
        Assert.That(_epochs, Has.Count.EqualTo(12));
        Assert.That(_epochs[^1].TrainLoss, Is.LessThan(0.6 * _epochs[0].TrainLoss), string.Join(", ", _epochs.Select(e => e.TrainLoss.ToString("F3"))));
        var metrics = _ctx.Vision.EvaluateSegmenter(_model.Transform(_train), numberOfClasses: 4);
        TestContext.Out.WriteLine(metrics);
        // The all-background prediction: mean IoU = (background IoU) / (classes present).
        var baseline = new SegmentationEvaluator(4);
        using (var cursor = _train.GetRowCursor([_train.Schema["Mask"]]))
            while (cursor.MoveNext())
            {
                var truth = cursor.GetValue<int[]>(_train.Schema["Mask"]);
                baseline.Add(truth, new int[truth.Length]);
            }
        double chance = baseline.GetMetrics().MeanIou;
        TestContext.Out.WriteLine($"all-background mIoU {chance:F4}");
        Assert.That(metrics.MeanIou, Is.GreaterThan(chance + 0.08), metrics.ToString());
    }

    [Test]
    public void SaveLoad_GivesIdenticalMasks()
    {
        string path = Path.Combine(TempDir, "segmenter.zip");
        _ctx.Model.Save(_model, _train.Schema, path);
        var loaded = _ctx.Model.Load(path, out _);
        var a = Read(_model.Transform(_train));
        var b = Read(loaded.Transform(_train));
        Assert.That(b, Is.EqualTo(a));
        Assert.That(a[0], Has.Length.EqualTo(64 * 64));
    }

    private static List<int[]> Read(IDataView scored)
    {
        var rows = new List<int[]>();
        using var cursor = scored.GetRowCursor(null);
        while (cursor.MoveNext()) rows.Add(cursor.GetValue<int[]>(scored.Schema["PredictedMask"]));
        return rows;
    }

    [Test]
    public void OnnxExport_MatchesTheNetworkInOnnxRuntimeAndOurRuntime()
    {
        string path = NewPath("segmenter");
        _model.ExportOnnx(path);
        Assert.That(Checker.Check(path), Is.Null, "onnx.checker full_check");
        var images = new MLNetDeep.Estimators.Vision.Detection.DetectionBatchReader(64, boxesColumnName: null).Read(_train, 2).First().Images;
        var expected = _model.PredictLogits(images);
        AssertClose("ORT logits", expected, Runtime.RunSingle(path, "image", images), 1e-4, 1e-4);
        AssertClose("our logits", expected, new OnnxSession(path).Run(new Dictionary<string, Tensor> { ["image"] = images })["logits"], 1e-4, 1e-4);
    }

    [Test]
    public void BadMaskValues_AreReported()
    {
        var o = TinyOptions(1);
        o.NumberOfClasses = 2;
        var ex = Assert.Throws<SchemaMismatchException>(() => _ctx.Vision.Trainers.SemanticSegmenter(o).Fit(_train))!;
        Assert.That(ex.Message, Does.Contain("Mask"));
        o = TinyOptions(1);
        o.MaskColumnName = "Boxes";
        Assert.Throws<SchemaMismatchException>(() => _ctx.Vision.Trainers.SemanticSegmenter(o).Fit(_train));
    }
}
