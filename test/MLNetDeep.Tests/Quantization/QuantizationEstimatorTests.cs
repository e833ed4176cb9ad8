using MLNetDeep.Data;
using MLNetDeep.Estimators.Compression;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn.Quantized;
using MLNetDeep.Tests.Vision;
using NUnit.Framework;

namespace MLNetDeep.Tests.Quantization;

/// <summary>
/// ctx.Transforms.Quantize on a small CNN trained on a Fashion-MNIST subset (a test double of the image classifier):
/// accuracy kept, predictions agree, save → load gives the same scores, bad options and data are rejected.
/// </summary>
public class QuantizationEstimatorTests
{
    private DeepContext _ctx = null!;
    private TestCnnClassifier _model = null!;
    private IDataView _calibration = null!;
    private IDataView _test = null!;

    [OneTimeSetUp]
    public void SetUp()
    {
        TestCnnClassifier.Register();
        FlatImageNetwork.RegisterExporter();
        _ctx = new DeepContext(1);
        var (trainView, testView) = FashionMnist.Require();
        var train = FashionMnist.Subset(_ctx, trainView, 0, 4000).CreateEnumerable<FashionMnist.Row>().ToList();
        _model = TestCnnClassifier.Train(train, 250, seed: 1);
        _calibration = _ctx.Data.LoadFromEnumerable(train.Take(512).ToList());
        _test = FashionMnist.Subset(_ctx, testView, 0, 1000);
    }

    internal static (int[] Predicted, long[] Labels) Predict(INetworkClassifier model, IDataView data)
    {
        var predicted = new List<int>();
        var labels = new List<long>();
        using var _ = Tensor.NoGrad();
        foreach (var (x, y) in model.ReadBatches(data, 256, "Label"))
        {
            var logits = model.Network.Forward(x).ToFloatArray();
            int classes = logits.Length / x.Size(0);
            for (int r = 0; r < x.Size(0); r++)
            {
                var row = logits.AsSpan(r * classes, classes);
                predicted.Add(row.IndexOf(TensorPrimitivesMax(row)));
            }
            labels.AddRange(y.ToArray<long>());
        }
        return ([.. predicted], [.. labels]);
    }

    private static float TensorPrimitivesMax(ReadOnlySpan<float> row) => System.Numerics.Tensors.TensorPrimitives.Max(row);

    private static double Accuracy((int[] Predicted, long[] Labels) p) => p.Predicted.Zip(p.Labels).Count(t => t.First == t.Second) / (double)p.Labels.Length;

    [Test]
    public void QuantizedClassifierKeepsAccuracyAndAgrees()
    {
        var quantized = _ctx.Transforms.Quantize(_model, calibrationExamples: 512).Fit(_calibration);
        Assert.That(quantized.Network.NamedModules().Count(m => m.Value is QuantizedConv2d { MaxPool: true }), Is.EqualTo(2),
            "the 1·3·3 stem is quantized too, with the pool after it fused");
        Assert.That(quantized.Network.NamedModules().Count(m => m.Value is QuantizedLinear), Is.EqualTo(2));
        var fp32 = Predict(_model, _test);
        var int8 = Predict(quantized, _test);
        double accF = Accuracy(fp32), accQ = Accuracy(int8);
        TestContext.Out.WriteLine($"fp32 accuracy {accF:P2}, int8 {accQ:P2} on {fp32.Labels.Length} test images");
        Assert.That(accF, Is.GreaterThan(0.7), "the double learned something");
        Assert.That(accQ, Is.GreaterThan(accF - 0.01), "int8 within 1 point of fp32");
        double agree = fp32.Predicted.Zip(int8.Predicted).Count(t => t.First == t.Second) / (double)fp32.Predicted.Length;
        Assert.That(agree, Is.GreaterThan(0.97));
        // Scoring goes through the float classifier's transform with the int8 network.
        var scored = quantized.Transform(_test).CreateEnumerable<TestCnnClassifier.Scored>().Select(s => (int)s.PredictedLabel - 1).ToArray();
        Assert.That(scored, Is.EqualTo(int8.Predicted));
    }

    [Test]
    public void SaveLoadRoundTripsScores()
    {
        var quantized = _ctx.Transforms.Quantize(_model, new QuantizationOptions { CalibrationExamples = 256, BatchSize = 64, Observer = QuantizationObserver.Percentile, Percentile = 99.9 })
            .Fit(_calibration);
        string path = Path.Combine(Path.GetTempPath(), $"quant-{Guid.NewGuid():N}.zip");
        try
        {
            _ctx.Model.Save(quantized, _test.Schema, path);
            var loaded = _ctx.Model.Load(path, out var schema);
            Assert.That(loaded, Is.TypeOf<QuantizedClassifierTransformer>());
            var q = (QuantizedClassifierTransformer)loaded;
            Assert.That(q.Options.Observer, Is.EqualTo(QuantizationObserver.Percentile));
            Assert.That(q.Options.FuseMaxPool, Is.True);
            Assert.That(q.Ranges, Is.EqualTo(quantized.Ranges));
            var x = _model.ReadBatches(_test, 64, null).First().Input;
            using var noGrad = Tensor.NoGrad();
            Assert.That(q.Network.Forward(x).ToFloatArray(), Is.EqualTo(quantized.Network.Forward(x).ToFloatArray()));
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void WithoutPoolFusionTheStemStaysFloatAndSurvivesSaveLoad()
    {
        // The network a file written before pool fusion existed describes (such a file has no fuseMaxPool and loads as false).
        var quantized = _ctx.Transforms.Quantize(_model, new QuantizationOptions { CalibrationExamples = 128, FuseMaxPool = false }).Fit(_calibration);
        var modules = quantized.Network.NamedModules().Select(m => m.Value).ToList();
        Assert.That(modules.OfType<QuantizedConv2d>().Select(c => c.MaxPool), Is.EqualTo(new[] { false }), "the 1·3·3 stem stays float");
        Assert.That(quantized.Ranges, Has.Count.EqualTo(3));
        string path = Path.Combine(Path.GetTempPath(), $"quant-{Guid.NewGuid():N}.zip");
        try
        {
            _ctx.Model.Save(quantized, _test.Schema, path);
            var loaded = (QuantizedClassifierTransformer)_ctx.Model.Load(path, out _);
            Assert.That(loaded.Options.FuseMaxPool, Is.False);
            var x = _model.ReadBatches(_test, 16, null).First().Input;
            using var noGrad = Tensor.NoGrad();
            Assert.That(loaded.Network.Forward(x).ToFloatArray(), Is.EqualTo(quantized.Network.Forward(x).ToFloatArray()));
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void RejectsBadOptionsAndEmptyData()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => _ctx.Transforms.Quantize(_model, new QuantizationOptions { BatchSize = 0 }));
        Assert.That(e!.ParamName, Is.EqualTo("BatchSize"));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ctx.Transforms.Quantize(_model, new QuantizationOptions { Percentile = 20 }));
        var empty = _ctx.Data.LoadFromEnumerable(new List<FashionMnist.Row>());
        Assert.Throws<InvalidOperationException>(() => _ctx.Transforms.Quantize(_model).Fit(empty));
    }
}
