using MLNetDeep.Estimators.Word2Vec;
using MLNetDeep.Onnx;
using MLNetDeep.Tensors;
using MLNetDeep.Tests.Onnx.Export;
using NUnit.Framework;

namespace MLNetDeep.Tests.Word2Vec;

/// <summary>
/// ONNX export of the word2vec featurizer: the file passes the full ONNX checker, and ONNX Runtime and our
/// runtime give the transformer's token vectors and pooled vectors (mean and min/mean/max) on a padded batch
/// of rows of different lengths, with unknown words under each policy.
/// </summary>
public class Word2VecOnnxTests : OnnxExportTestBase
{
    private Word2VecModel _model = null!;

    [OneTimeSetUp]
    public void Train()
    {
        _model = Word2VecTransformerTests.Fit(Word2VecTransformerTests.SmallOptions(), 200).Model;
    }

    [TestCase(Word2VecPooling.Mean, UnknownWordPolicy.Ignore)]
    [TestCase(Word2VecPooling.MinMeanMax, UnknownWordPolicy.Ignore)]
    [TestCase(Word2VecPooling.MinMeanMax, UnknownWordPolicy.ZeroVector)]
    public void Export_MatchesTransformer_InOrtAndOurRuntime(Word2VecPooling pooling, UnknownWordPolicy unknown)
    {
        var t = new Word2VecTransformer(_model, "Tokens", "Features", "FeaturesTokens", pooling, unknown);
        string path = Path.Combine(TempDir, $"w2v-{pooling}-{unknown}.onnx");
        Word2VecOnnxExporter.Export(t, path);
        Assert.That(Checker.Check(path), Is.Null, "onnx.checker full_check");

        string[][] rows = [["goal", "match", "team", "oven"], ["rain"], [], ["snow", "zzz-unknown", "the"], ["zzz-unknown"]];
        int seq = rows.Max(r => r.Length), dim = _model.VectorSize;
        var ids = new long[rows.Length * seq];
        for (int r = 0; r < rows.Length; r++) t.GetTokenIds(rows[r]).CopyTo(ids, r * seq);
        var input = Tensor.FromArray(ids, rows.Length, seq);
        var ort = Runtime.Run(path, new Dictionary<string, Tensor> { ["TokenIds"] = input });
        var ours = new OnnxSession(path).Run(new Dictionary<string, Tensor> { ["TokenIds"] = input });
        foreach (var (name, outputs) in new[] { ("ONNX Runtime", ort), ("our runtime", ours) })
        {
            var pooled = outputs["Pooled"].ToArray<float>();
            var tokens = outputs["TokenVectors"].ToArray<float>();
            Assert.That(outputs["Pooled"].Shape.ToArray(), Is.EqualTo(new[] { rows.Length, t.PooledSize }), name);
            Assert.That(outputs["TokenVectors"].Shape.ToArray(), Is.EqualTo(new[] { rows.Length, seq, dim }), name);
            for (int r = 0; r < rows.Length; r++)
            {
                Assert.That(pooled.AsSpan(r * t.PooledSize, t.PooledSize).ToArray(), Is.EqualTo(t.GetSentenceVector(rows[r])).Within(1e-5), $"{name}: pooled row {r}");
                // Token vectors: the transformer's kept tokens, in order; the graph keeps every position (ignored ones are zeros).
                var kept = t.GetTokenVectors(rows[r]);
                var expected = new List<float>();
                int k = 0;
                foreach (long id in t.GetTokenIds(rows[r]))
                {
                    if (id == 0) expected.AddRange(new float[dim]);
                    else expected.AddRange(kept.AsSpan(k++ * dim, dim).ToArray());
                }
                expected.AddRange(new float[(seq - rows[r].Length) * dim]);
                Assert.That(tokens.AsSpan(r * seq * dim, seq * dim).ToArray(), Is.EqualTo(expected.ToArray()), $"{name}: token vectors row {r}");
            }
        }
    }
}
