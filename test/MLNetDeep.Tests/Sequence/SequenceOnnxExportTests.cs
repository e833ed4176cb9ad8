using MLNetDeep.Data;
using MLNetDeep.Estimators.Sequence;
using MLNetDeep.Tests.Onnx.Export;
using MLNetDeep.Tests.Pipeline;
using NUnit.Framework;

namespace MLNetDeep.Tests.Sequence;

/// <summary>
/// ExportOnnx of fitted sequence pipelines (classifier in every cell/pooling/direction shape, next-word
/// predictor): the file passes the full checker, and ONNX Runtime and our runtime give the transformer's
/// scores at batch sizes other than the export's, on rows of different lengths padded with key 0 and
/// with key 0 inside a row.
/// </summary>
public class SequenceOnnxExportTests : OnnxExportTestBase
{
    // Rows as the featurizer gives them, plus edge cases: key 0 inside a row, trailing 0, a single token, all-unknown.
    private static List<uint[]> Rows(ITransformer featurizer, IDataView data)
    {
        var rows = featurizer.Transform(data).GetColumn<uint[]>("Tokens").ToList();
        rows.AddRange([[rows[0][0], 0, rows[1][0]], [rows[2][0], rows[2][^1], 0, 0], [rows[3][0]], [0, 0]]);
        return rows;
    }

    private void Compare(string path, List<uint[]> rows, float[][] expected, int batch)
    {
        Assert.That(Checker.Check(path), Is.Null, "onnx.checker full_check");
        AssertKeyIdClassifierInRuntime(path, rows, expected, batch, 2e-5f);
        // Our runtime, through ApplyOnnxModel, at another batch size.
        var ctx = new DeepContext(1);
        var view = ctx.Data.LoadFromEnumerable(rows.Select(r => new TokenKeys { Tokens = r }).ToList());
        var ours = ctx.Transforms.ApplyOnnxModel(path, batch + 1).Fit(view).Transform(view).GetColumn<float[]>("Score");
        for (int r = 0; r < rows.Count; r++) Assert.That(ours[r], Is.EqualTo(expected[r]).Within(2e-5f), $"our runtime, row {r}");
    }

    [TestCase(SequenceCellType.Lstm, SequencePooling.Last, 1, false)]
    [TestCase(SequenceCellType.Gru, SequencePooling.Last, 1, true)]
    [TestCase(SequenceCellType.Rnn, SequencePooling.Mean, 2, false)]
    [TestCase(SequenceCellType.Gru, SequencePooling.Max, 2, true)]
    [TestCase(SequenceCellType.Lstm, SequencePooling.Attention, 1, true)]
    public void Classifier_OnnxMatchesTheTransformer(SequenceCellType cell, SequencePooling pooling, int layers, bool bidirectional)
    {
        var ctx = new DeepContext(seed: 3);
        var options = new SequenceClassifierOptions { Cell = cell, Pooling = pooling, NumberOfLayers = layers, Bidirectional = bidirectional, EmbeddingDimension = 6, HiddenSize = 5, NumberOfEpochs = 1, Seed = 2 };
        var train = PipelineTestData.View(ctx, 60, seed: 1);
        var model = SequenceClassifierTests.Pipeline(ctx, options).Fit(train);
        string path = Path.Combine(TempDir, $"cls-{cell}-{pooling}-{layers}-{bidirectional}.onnx");
        ctx.Model.ExportOnnx(model, train, path);
        var featurizer = new TransformerChain<ITransformer>(model.Transformers.Take(2).ToList());
        var rows = Rows(featurizer, PipelineTestData.View(ctx, 20, seed: 9));
        var classifier = model.Transformers.OfType<SequenceClassificationTransformer>().Single();
        Compare(path, rows, classifier.Score(rows), batch: 5);
    }

    [Test]
    public void NextWordPredictor_OnnxMatchesTheTransformer()
    {
        var ctx = new DeepContext(seed: 3);
        var featurize = ctx.Transforms.Text.TokenizeIntoWords("Words", "Text")
            .Append(ctx.Transforms.Conversion.MapValueToKey("Tokens", "Words", new MLNetDeep.Conversion.ValueToKeyMappingOptions { UnknownToken = "<unk>" }));
        var train = PipelineTestData.View(ctx, 60, seed: 1);
        var model = featurize.Append(ctx.Text.Trainers.NextWordPredictor(new NextWordPredictorOptions { Cell = SequenceCellType.Gru, Bidirectional = true, EmbeddingDimension = 6, HiddenSize = 5, NumberOfEpochs = 1, Seed = 2 })).Fit(train);
        string path = Path.Combine(TempDir, "lm.onnx");
        ctx.Model.ExportOnnx(model, train, path);
        var featurizer = new TransformerChain<ITransformer>(model.Transformers.Take(2).ToList());
        var rows = Rows(featurizer, PipelineTestData.View(ctx, 12, seed: 9)).Select(r => r.Length > 5 ? r[^5..] : r).ToList();
        var lm = model.Transformers.OfType<NextWordPredictionTransformer>().Single();
        Compare(path, rows, lm.Score(rows), batch: 3);
    }

    public sealed class TokenKeys
    {
        [KeyType(100)]
        public uint[] Tokens { get; set; } = [];
    }
}
