using MLNetDeep.Data;
using MLNetDeep.Estimators.Text;
using MLNetDeep.OnnxExport;
using MLNetDeep.Tests.Onnx.Export;
using MLNetDeep.Tests.Pipeline;
using NUnit.Framework;

namespace MLNetDeep.Tests.OnnxIntegration;

/// <summary>
/// ExportOnnx of a fitted text-classification pipeline: the file passes the full ONNX checker, and ONNX
/// Runtime and our runtime (ApplyOnnxModel) give the transformer's scores at batch sizes other than the
/// export's, with rows of different lengths (padded with key 0).
/// </summary>
public class OnnxPipelineExportTests : OnnxExportTestBase
{
    private DeepContext _ctx = null!;
    private TransformerChain<MLNetDeep.Conversion.KeyToValueMappingTransformer> _model = null!;
    private IDataView _test = null!;

    [OneTimeSetUp]
    public void Train()
    {
        _ctx = new DeepContext(seed: 5);
        var pipeline = _ctx.Transforms.Text.NormalizeText("Text")
            .Append(_ctx.Transforms.Text.TokenizeIntoWords("Words", "Text"))
            .Append(_ctx.Transforms.Conversion.MapValueToKey("Tokens", "Words"))
            .Append(_ctx.Transforms.Conversion.MapValueToKey("Label"))
            .Append(_ctx.Text.Trainers.TextClassifier(new TextClassifierOptions { NumberOfEpochs = 2, Seed = 2, EmbeddingDimension = 8, HiddenLayerSize = 8 }))
            .Append(_ctx.Transforms.Conversion.MapKeyToValue("PredictedText", "PredictedLabel"));
        _model = pipeline.Fit(PipelineTestData.View(_ctx, 150, seed: 1));
        _test = PipelineTestData.View(_ctx, 23, seed: 9);
    }

    private TextClassificationTransformer Classifier => _model.Transformers.OfType<TextClassificationTransformer>().Single();

    // The featurized test rows (everything before the classifier) and the classifier's own scores.
    private (List<uint[]> Tokens, float[][] Scores) Reference()
    {
        var prefix = new TransformerChain<ITransformer>(_model.Transformers.Take(4).ToList());
        var tokens = prefix.Transform(_test).GetColumn<uint[]>("Tokens");
        return (tokens, Classifier.Score(tokens));
    }

    private string ExportToFile()
    {
        string path = Path.Combine(TempDir, "classifier-" + Guid.NewGuid().ToString("N")[..6] + ".onnx");
        using (var stream = File.Create(path)) _ctx.Model.ExportOnnx(_model, _test, stream);
        return path;
    }

    [Test]
    public void Export_PassesChecker_AndHasDynamicAxes()
    {
        string path = ExportToFile();
        Assert.That(Checker.Check(path), Is.Null, "onnx.checker full_check");
        var proto = MLNetDeep.OnnxExport.Schema.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        var input = proto.Graph.Input.Single(i => i.Name == "Tokens");
        Assert.That(input.Type.TensorType.Shape.Dim.Select(d => d.DimParam), Is.EqualTo(new[] { "batch", "sequence" }));
        Assert.That(proto.Graph.Output.Select(o => o.Name), Is.EqualTo(new[] { "Score", "PredictedLabel" }));
        Assert.That(proto.Graph.Output.All(o => o.Type.TensorType.Shape.Dim[0].DimParam == "batch"), Is.True);
        var score = proto.Graph.Output[0].Type.TensorType.Shape.Dim;
        Assert.That(score, Has.Count.EqualTo(2));
        Assert.That(score[1].DimValue, Is.EqualTo(3), "classes axis fixed (3 classes, the same as an example batch size)");
        Assert.That(proto.Graph.Output[1].Type.TensorType.Shape.Dim, Has.Count.EqualTo(1));
        Assert.That(proto.MetadataProps.Any(p => p.Key == "mlnetdeep.outside_after" && p.Value.Contains("KeyToValue")), Is.True);
    }

    [TestCase(1)]
    [TestCase(5)]
    [TestCase(23)]
    public void OnnxRuntime_MatchesTheTransformer(int batch)
    {
        string path = ExportToFile();
        var (tokens, scores) = Reference();
        AssertKeyIdClassifierInRuntime(path, tokens, scores, batch, 1e-5f);
    }

    [TestCase(2)]
    [TestCase(7)]
    public void OurRuntime_ApplyOnnxModel_MatchesTheTransformer(int batch)
    {
        string path = Path.Combine(TempDir, "classifier-file.onnx");
        _ctx.Model.ExportOnnx(_model, _test, path);
        var prefix = new TransformerChain<ITransformer>(_model.Transformers.Take(4).ToList());
        var featurized = prefix.Transform(_test);
        var scored = _ctx.Transforms.ApplyOnnxModel(path, batch).Fit(featurized).Transform(featurized);
        Assert.That(scored.Schema["Score"].Type, Is.EqualTo(new VectorDataViewType(NumberDataViewType.Single, 3)));
        var (_, scores) = Reference();
        var onnxScores = scored.GetColumn<float[]>("Score");
        var labels = scored.GetColumn<long[]>("PredictedLabel");
        var expectedLabels = _model.Transform(_test).GetColumn<uint>("PredictedLabel");
        for (int r = 0; r < scores.Length; r++)
        {
            Assert.That(onnxScores[r], Is.EqualTo(scores[r]).Within(1e-5f), $"row {r}");
            Assert.That(labels[r], Is.EqualTo(new long[] { expectedLabels[r] }), $"row {r} label");
        }
    }

    [Test]
    public void ModelWithoutExportableComponent_IsATypedError()
    {
        var prefix = new TransformerChain<ITransformer>(_model.Transformers.Take(3).ToList());
        var ex = Assert.Throws<OnnxExportException>(() => _ctx.Model.ExportOnnx(prefix, _test, new MemoryStream()))!;
        Assert.That(ex.Message, Does.Contain("no component"));
    }
}
