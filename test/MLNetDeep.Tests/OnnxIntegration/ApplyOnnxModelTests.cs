using MLNetDeep.Data;
using MLNetDeep.Onnx;
using MLNetDeep.Onnx.Scoring;
using MLNetDeep.OnnxExport;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;
using MLNetDeep.Tests.Pipeline;
using NUnit.Framework;

namespace MLNetDeep.Tests.OnnxIntegration;

public sealed class FeatureRow
{
    [VectorType(4)]
    public float[] Features { get; set; } = [];
}

public sealed class WrongFeatureRow
{
    [VectorType(3)]
    public float[] Features { get; set; } = [];
}

public sealed class TextFeatureRow
{
    public string Features { get; set; } = "";
}

/// <summary>ApplyOnnxModel: the estimator harness (schema, typed errors, save/load), values against the engine, overloads, batching.</summary>
public class ApplyOnnxModelTests
{
    private string _dir = null!;
    private string _model = null!;
    private Sequential _net = null!;

    [OneTimeSetUp]
    public void Export()
    {
        _dir = Path.Combine(Path.GetTempPath(), "mlnd-apply-onnx-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        _net = new Sequential(new Linear(4, 5, generator: new Generator(3)), new Tanh(), new Linear(5, 3, generator: new Generator(4)), new Softmax(-1));
        _model = Path.Combine(_dir, "mlp.onnx");
        OnnxExporter.Export(_net, _model, [OnnxTensorSpec.Float("Features", "batch", 4)], new OnnxExportOptions { OutputNames = ["Probabilities"] });
    }

    [OneTimeTearDown]
    public void Cleanup() => Directory.Delete(_dir, recursive: true);

    private static List<FeatureRow> Rows(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => new FeatureRow { Features = Enumerable.Range(0, 4).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray() }).ToList();
    }

    private float[] Expected(float[] features)
    {
        using var _ = Tensor.NoGrad();
        _net.Eval();
        return _net.Forward(Tensor.FromArray(features, 1, 4)).ToArray<float>();
    }

    [Test]
    public void Harness_SchemaErrorsAndSaveLoad()
    {
        var ctx = new DeepContext(seed: 1);
        var data = ctx.Data.LoadFromEnumerable(Rows(10, 1));
        var wrongSize = ctx.Data.LoadFromEnumerable(new[] { new WrongFeatureRow { Features = [1, 2, 3] } });
        var estimator = ctx.Transforms.ApplyOnnxModel("Probabilities", "Features", _model, batchSize: 3);
        var transformer = EstimatorHarness.Check(estimator, data, wrongSize, "Features");
        var output = transformer.GetOutputSchema(data.Schema)["Probabilities"];
        Assert.That(output.Type, Is.EqualTo(new VectorDataViewType(NumberDataViewType.Single, 3)));
        var wrongType = ctx.Data.LoadFromEnumerable(new[] { new TextFeatureRow { Features = "x" } });
        var ex = Assert.Throws<SchemaMismatchException>(() => transformer.Transform(wrongType))!;
        Assert.That(ex.Message, Does.Contain("model input 'Features'").And.Contain("Text"));
    }

    [TestCase(1)]
    [TestCase(4)]
    [TestCase(64)]
    public void Values_MatchTheEngine_AtAnyBatchSize(int batchSize)
    {
        var ctx = new DeepContext(seed: 1);
        var rows = Rows(11, 2);
        var scored = ctx.Transforms.ApplyOnnxModel("Probabilities", "Features", _model, batchSize).Fit(ctx.Data.LoadFromEnumerable(rows)).Transform(ctx.Data.LoadFromEnumerable(rows));
        var probs = scored.GetColumn<float[]>("Probabilities");
        Assert.That(probs, Has.Count.EqualTo(rows.Count));
        for (int r = 0; r < rows.Count; r++)
            Assert.That(probs[r], Is.EqualTo(Expected(rows[r].Features)).Within(1e-5f), $"row {r}");
    }

    [Test]
    public void Overloads_AllOutputs_StreamAndShapeDictionary()
    {
        var ctx = new DeepContext(seed: 1);
        var rows = Rows(5, 3);
        var data = ctx.Data.LoadFromEnumerable(rows);
        var all = ctx.Transforms.ApplyOnnxModel(_model).Fit(data).Transform(data).GetColumn<float[]>("Probabilities");
        using var stream = File.OpenRead(_model);
        var fromStream = ctx.Transforms.ApplyOnnxModel(stream).Fit(data).Transform(data).GetColumn<float[]>("Probabilities");
        var shaped = ctx.Transforms.ApplyOnnxModel(["Probabilities"], ["Features"], _model, new Dictionary<string, int[]> { ["Features"] = [-1, 4] })
            .Fit(data).Transform(data).GetColumn<float[]>("Probabilities");
        for (int r = 0; r < rows.Count; r++)
        {
            Assert.That(all[r], Is.EqualTo(Expected(rows[r].Features)).Within(1e-5f));
            Assert.That(fromStream[r], Is.EqualTo(all[r]));
            Assert.That(shaped[r], Is.EqualTo(all[r]));
        }
    }

    [Test]
    public void FixedBatchOfOne_RunsRowByRow()
    {
        string path = Path.Combine(_dir, "batch1.onnx");
        OnnxExporter.Export(_net, path, [OnnxTensorSpec.Float("Features", 1, 4)], new OnnxExportOptions { OutputNames = ["Probabilities"] });
        var ctx = new DeepContext(seed: 1);
        var rows = Rows(5, 4);
        var data = ctx.Data.LoadFromEnumerable(rows);
        var probs = ctx.Transforms.ApplyOnnxModel(path, batchSize: 64).Fit(data).Transform(data).GetColumn<float[]>("Probabilities");
        for (int r = 0; r < rows.Count; r++) Assert.That(probs[r], Is.EqualTo(Expected(rows[r].Features)).Within(1e-5f), $"row {r}");
    }

    [Test]
    public void UnknownNames_AreTypedErrorsNamingThem()
    {
        var ctx = new DeepContext(seed: 1);
        var e1 = Assert.Throws<OnnxScoringException>(() => ctx.Transforms.ApplyOnnxModel("Nope", "Features", _model))!;
        Assert.That(e1.Name, Is.EqualTo("Nope"));
        Assert.That(e1.Message, Does.Contain("Probabilities"));
        var e2 = Assert.Throws<OnnxScoringException>(() => ctx.Transforms.ApplyOnnxModel("Probabilities", "Other", _model))!;
        Assert.That(e2.Name, Is.EqualTo("Other"));
        var e3 = Assert.Throws<OnnxScoringException>(() => ctx.Transforms.ApplyOnnxModel(["Probabilities"], ["Features"], _model, new Dictionary<string, int[]> { ["Ghost"] = [1] }))!;
        Assert.That(e3.Name, Is.EqualTo("Ghost"));
        Assert.Throws<FileNotFoundException>(() => ctx.Transforms.ApplyOnnxModel(Path.Combine(_dir, "missing.onnx")));
        string junk = Path.Combine(_dir, "junk.onnx");
        File.WriteAllBytes(junk, [1, 2, 3, 4, 5]);
        Assert.Throws(Is.InstanceOf<OnnxException>(), () => ctx.Transforms.ApplyOnnxModel(junk));
    }
}
