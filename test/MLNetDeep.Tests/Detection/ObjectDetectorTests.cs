using MLNetDeep.Data;
using MLNetDeep.Estimators.Vision.Detection;
using MLNetDeep.Onnx;
using MLNetDeep.Tensors;
using MLNetDeep.Tests.Onnx.Export;
using NUnit.Framework;

namespace MLNetDeep.Tests.Detection;

/// <summary>
/// The SSD detector on 64×64 scenes of synthetic items (discs, squares, bars): shapes, the loss, a short training
/// run (trained once per fixture), save/load and ONNX export (checker, ONNX Runtime and our runtime).
/// </summary>
[TestFixture]
public sealed class ObjectDetectorTests : OnnxExportTestBase
{
    private DeepContext _ctx = null!;
    private IDataView _train = null!;
    private ObjectDetectionTransformer _model = null!;
    private readonly List<TrainingProgress> _epochs = [];

    internal static DetectionSceneOptions SmallScenes(int count, int seed) => new()
    {
        NumberOfImages = count, Seed = seed, MinImageSize = 64, MaxImageSize = 64, MinObjects = 1, MaxObjects = 2,
        MinObjectSize = 18, MaxObjectSize = 34, MaxClutterShapes = 2, NoiseLevel = 0.02f,
    };

    internal static ObjectDetectorOptions TinyOptions(int epochs) => new()
    {
        InputSize = 64, BackboneWidth = 8, NumberOfEpochs = epochs, BatchSize = 16, LearningRate = 3e-3, Seed = 7, ProgressInterval = 0,
    };

    [OneTimeSetUp]
    public void TrainOnce()
    {
        _ctx = new DeepContext(seed: 1);
        _train = _ctx.Data.GenerateDetectionScenes(SceneTestData.SyntheticItems(), SmallScenes(64, 3));
        var options = TinyOptions(16);
        options.Progress = new SyncProgress(p => { if (p.IsEpochEnd) _epochs.Add(p); });
        _model = _ctx.Vision.Trainers.ObjectDetector(options).Fit(_train);
    }

    private sealed class SyncProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    [Test]
    public void Network_OutputsOneRowPerDefaultBox()
    {
        var net = new SsdNetwork(64, 3, 8, 1, new Generator(1));
        Assert.That(net.FeatureMapSizes, Is.EqualTo(new[] { 8, 4, 2 }));
        Assert.That(net.PriorCount, Is.EqualTo(4 * (64 + 16 + 4)));
        var y = net.Forward(Tensor.Rand([2, 3, 64, 64], new Generator(2)));
        Assert.That(y.Shape.ToArray(), Is.EqualTo(new[] { 2, 336, 4 + 4 }));
        Assert.Throws<ArgumentException>(() => net.Forward(Tensor.Rand([1, 3, 32, 32], new Generator(2))));
    }

    [Test]
    public void Loss_DecreasesOnAFixedBatch()
    {
        var net = new SsdNetwork(64, 3, 8, 1, new Generator(3));
        var assigner = new SsdTargetAssigner(net.Priors, new SsdBoxCoder());
        var batch = new DetectionBatchReader(64).Read(_train, 8).First();
        int p = net.PriorCount;
        var classes = new int[8 * p];
        var offsets = new float[8 * p * 4];
        for (int i = 0; i < 8; i++) assigner.Assign(batch.Boxes[i], batch.Labels[i], classes.AsSpan(i * p, p), offsets.AsSpan(i * p * 4, p * 4));
        var optimizer = new MLNetDeep.Tensors.Optim.Adam(net.Parameters(), 3e-3);
        var losses = new List<double>();
        for (int step = 0; step < 12; step++)
        {
            optimizer.ZeroGrad();
            var (loss, positives) = SsdLoss.Compute(net.Forward(batch.Images), classes, offsets);
            Assert.That(positives, Is.GreaterThanOrEqualTo(batch.Labels.Sum(l => l.Length)), "every box claims at least one prior");
            loss.Backward();
            optimizer.Step();
            losses.Add(loss.Item());
        }
        Assert.That(losses[^1], Is.LessThan(0.6 * losses[0]), string.Join(", ", losses.Select(l => l.ToString("F3"))));
    }

    [Test]
    public void HardNegativeMining_KeepsThreeNegativesPerPositive()
    {
        // 1 image, 10 priors, 2 classes: prior 0 positive; logits make priors 5, 6, 7 the hardest negatives.
        var values = new float[10 * 7];
        for (int q = 0; q < 10; q++) values[q * 7 + 4] = 5;                 // confident background
        foreach (int q in new[] { 5, 6, 7, 8 }) values[q * 7 + 4] = 5 - q;  // less confident: 0, -1, -2, -3 → 8 hardest
        var output = Tensor.FromArray(values, 1, 10, 7);
        var classes = new int[10];
        classes[0] = 1;
        var (loss, positives) = SsdLoss.Compute(output, classes, new float[40]);
        Assert.That(positives, Is.EqualTo(1));
        var ce = F.CrossEntropy(output.Slice(2, 4, 7).Reshape(10, 3), Tensor.FromArray(new long[] { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, 10), reduction: Reduction.None).ToArray<float>();
        double expected = ce[0] + ce[8] + ce[7] + ce[6];
        Assert.That(loss.Item(), Is.EqualTo(expected).Within(1e-5));
    }

    [Test]
    public void Training_LowersTheLossAndFindsTheObjects()
    {
        Assert.That(_epochs, Has.Count.EqualTo(16));
        Assert.That(_epochs[^1].TrainLoss, Is.LessThan(0.5 * _epochs[0].TrainLoss), string.Join(", ", _epochs.Select(e => e.TrainLoss.ToString("F3"))));
        var scored = _model.Transform(_train);
        var metrics = _ctx.Vision.EvaluateDetector(scored);
        TestContext.Out.WriteLine(metrics);
        // Chance: boxes at random places with random labels score mAP@0.5 well under 0.05 here.
        Assert.That(metrics.MeanAveragePrecision50, Is.GreaterThan(0.25), metrics.ToString());
    }

    [Test]
    public void Transform_AddsBoxesLabelsAndScoresAfterNms()
    {
        var scored = _model.Transform(_train);
        Assert.That(scored.Schema["PredictedBoxes"].Type, Is.InstanceOf<BoundingBoxDataViewType>());
        Assert.That(scored.Schema["PredictedLabels"].KeyValues, Is.EqualTo(new[] { "disc", "square", "bar" }));
        using var cursor = scored.GetRowCursor(null);
        int rows = 0;
        while (cursor.MoveNext() && rows++ < 8)
        {
            var boxes = cursor.GetValue<BoundingBox[]>(scored.Schema["PredictedBoxes"]);
            var labels = cursor.GetValue<uint[]>(scored.Schema["PredictedLabels"]);
            var scores = cursor.GetValue<float[]>(scored.Schema["PredictedScores"]);
            Assert.That(boxes.Length, Is.LessThanOrEqualTo(_model.Nms.MaxDetections));
            Assert.That(labels, Is.EqualTo(boxes.Select(b => (uint)b.Label)));
            Assert.That(scores, Is.EqualTo(boxes.Select(b => b.Score)));
            Assert.That(scores, Is.Ordered.Descending);
            Assert.That(scores, Has.All.GreaterThan(_model.Nms.ScoreThreshold));
        }
    }

    [Test]
    public void SaveLoad_GivesIdenticalDetections()
    {
        string path = Path.Combine(TempDir, "detector.zip");
        _ctx.Model.Save(_model, _train.Schema, path);
        var loaded = _ctx.Model.Load(path, out var schema);
        Assert.That(schema["Image"].Type, Is.EqualTo(_train.Schema["Image"].Type));
        var a = Read(_model.Transform(_train));
        var b = Read(loaded.Transform(_train));
        Assert.That(b, Is.EqualTo(a));
        Assert.That(a.Sum(r => r.Length), Is.GreaterThan(0));
    }

    private static List<BoundingBox[]> Read(IDataView scored)
    {
        var rows = new List<BoundingBox[]>();
        using var cursor = scored.GetRowCursor(null);
        while (cursor.MoveNext()) rows.Add(cursor.GetValue<BoundingBox[]>(scored.Schema["PredictedBoxes"]));
        return rows;
    }

    [Test]
    public void OnnxExport_MatchesTheTransformerInOnnxRuntimeAndOurRuntime()
    {
        string path = NewPath("detector");
        _model.ExportOnnx(path);
        Assert.That(Checker.Check(path), Is.Null, "onnx.checker full_check");
        var images = new DetectionBatchReader(64).Read(_train, 3).First().Images;
        var (boxes, scores) = _model.PredictRaw(images);
        var ort = Runtime.Run(path, new Dictionary<string, Tensor> { ["image"] = images });
        AssertClose("ORT boxes", boxes, ort["boxes"], 1e-4, 1e-3);
        AssertClose("ORT scores", scores, ort["scores"], 1e-4, 1e-5);
        var ours = new OnnxSession(path).Run(new Dictionary<string, Tensor> { ["image"] = images });
        AssertClose("our boxes", boxes, ours["boxes"], 1e-4, 1e-3);
        AssertClose("our scores", scores, ours["scores"], 1e-4, 1e-5);
        // The documented post-processing (Detect = candidates + class-wise NMS) on ORT's outputs gives the transformer's detections.
        var sizes = Enumerable.Repeat((64, 64), 3).ToList();
        var expected = _model.Detect(boxes, scores, sizes);
        var fromOrt = _model.Detect(ort["boxes"], ort["scores"], sizes);
        Assert.That(expected.Sum(d => d.Length), Is.GreaterThan(0));
        for (int i = 0; i < 3; i++)
        {
            Assert.That(fromOrt[i].Select(b => b.Label), Is.EqualTo(expected[i].Select(b => b.Label)), $"image {i} labels");
            Assert.That(fromOrt[i].Select(b => new[] { b.X, b.Y, b.Width, b.Height, b.Score }), Is.EqualTo(expected[i].Select(b => new[] { b.X, b.Y, b.Width, b.Height, b.Score })).Within(2e-3), $"image {i} boxes");
        }
    }

    [Test]
    public void BadColumns_AreNamed()
    {
        var o = TinyOptions(1);
        o.LabelColumnName = "Nope";
        var ex = Assert.Throws<SchemaMismatchException>(() => _ctx.Vision.Trainers.ObjectDetector(o).Fit(_train))!;
        Assert.That(ex.Message, Does.Contain("Nope"));
        o = TinyOptions(1);
        o.ImageColumnName = "Boxes";
        ex = Assert.Throws<SchemaMismatchException>(() => _ctx.Vision.Trainers.ObjectDetector(o).Fit(_train))!;
        Assert.That(ex.Message, Does.Contain("Boxes"));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ctx.Vision.Trainers.ObjectDetector(new ObjectDetectorOptions { InputSize = 50 }));
    }

    [Test]
    public void Cancellation_StopsTraining()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var o = TinyOptions(1);
        o.CancellationToken = cts.Token;
        Assert.Throws<OperationCanceledException>(() => _ctx.Vision.Trainers.ObjectDetector(o).Fit(_train));
    }
}
