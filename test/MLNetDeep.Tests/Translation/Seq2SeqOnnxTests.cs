using MLNetDeep.Estimators.Translation;
using MLNetDeep.Onnx;
using MLNetDeep.Tensors;
using MLNetDeep.Tests.Onnx.Export;
using NUnit.Framework;

namespace MLNetDeep.Tests.Translation;

/// <summary>
/// The exported encoder and decoder-step graphs pass the ONNX checker, and a greedy loop driven from here over
/// ONNX Runtime (tools/oracles/ort_oracle.js) and over our managed runtime gives our transformer's translations.
/// </summary>
[NonParallelizable]
public class Seq2SeqOnnxTests : OnnxExportTestBase
{
    private static Seq2SeqTransformer Train(Seq2SeqCell cell, Seq2SeqAttentionKind attention, bool bidirectional, int layers, int epochs)
    {
        var ctx = new DeepContext(seed: 1);
        var data = ctx.Data.LoadFromEnumerable(TranslationTestData.ReversedUpper(300, seed: 1));
        return ctx.Translation.Trainers.Seq2Seq(new Seq2SeqOptions
        {
            Cell = cell, Attention = attention, BidirectionalEncoder = bidirectional, NumberOfLayers = layers,
            EmbeddingDimension = 16, HiddenSize = 24, BatchSize = 16, NumberOfEpochs = epochs, LearningRate = 0.01, MaxTargetLength = 10, Seed = 5, ProgressInterval = 0,
        }).Fit(data);
    }

    [TestCase(Seq2SeqCell.Gru, Seq2SeqAttentionKind.LuongDot, false, 1, 8)]
    [TestCase(Seq2SeqCell.Lstm, Seq2SeqAttentionKind.Bahdanau, true, 2, 3)]
    [TestCase(Seq2SeqCell.Gru, Seq2SeqAttentionKind.LuongGeneral, true, 1, 3)]
    public void GreedyLoopOverExportedGraphsMatchesTheTransformer(Seq2SeqCell cell, Seq2SeqAttentionKind attention, bool bidirectional, int layers, int epochs)
    {
        var model = Train(cell, attention, bidirectional, layers, epochs);
        string encoder = NewPath("encoder"), decoder = NewPath("decoder");
        Seq2SeqOnnxExport.Export(model.Network, encoder, decoder);
        Assert.That(Checker.Check(encoder), Is.Null);
        Assert.That(Checker.Check(decoder), Is.Null);
        var sources = TranslationTestData.ReversedUpper(12, seed: 11).Select(r => r.Source).ToList();
        var expected = model.Translate(sources);
        Assert.That(expected.Count(e => e.Length > 0), Is.GreaterThan(6), "the model emits tokens");
        var ours = new OnnxRunner(new OnnxSession(encoder), new OnnxSession(decoder));
        Assert.That(GreedyLoop(model, sources, (path, feeds) => (path == encoder ? ours.Encoder : ours.Decoder).Run(feeds), encoder, decoder), Is.EqualTo(expected), "managed runtime");
        Assert.That(GreedyLoop(model, sources, (path, feeds) => Runtime.Run(path, feeds), encoder, decoder), Is.EqualTo(expected), "ONNX Runtime");
    }

    private sealed record OnnxRunner(OnnxSession Encoder, OnnxSession Decoder);

    /// <summary>The documented loop: encode once, then feed each step's argmax back until &lt;/s&gt; for every row.</summary>
    private static string[] GreedyLoop(Seq2SeqTransformer model, List<string> sources, Func<string, IReadOnlyDictionary<string, Tensor>, Dictionary<string, Tensor>> run, string encoder, string decoder)
    {
        var ids = sources.Select(s => model.SourceVocabulary.Encode(TranslationVocabulary.Tokenize(s))).ToList();
        int b = ids.Count, s = ids.Max(x => x.Length);
        var src = new long[s * b];
        for (int i = 0; i < b; i++)
            for (int t = 0; t < ids[i].Length; t++) src[t * b + i] = ids[i][t];
        var enc = run(encoder, new Dictionary<string, Tensor>
        {
            ["source_ids"] = Tensor.FromArray(src, s, b),
            ["lengths"] = Tensor.FromArray(ids.Select(x => (long)x.Length).ToArray()),
        });
        bool lstm = model.Network.Shape.Cell == Seq2SeqCell.Lstm;
        var state = new Dictionary<string, Tensor> { ["h"] = enc["h"], ["keys"] = enc["keys"], ["mask"] = enc["mask"] };
        if (lstm) state["c"] = enc["c"];
        var prev = Enumerable.Repeat((long)TranslationVocabulary.Bos, b).ToArray();
        var outputs = Enumerable.Range(0, b).Select(_ => new List<int>()).ToArray();
        var done = new bool[b];
        int v = model.Network.Shape.TargetVocabulary;
        for (int step = 0; step < model.MaxTargetLength && !done.All(d => d); step++)
        {
            state["token"] = Tensor.FromArray(prev, 1, b);
            var r = run(decoder, state);
            state["h"] = r["h_out"];
            if (lstm) state["c"] = r["c_out"];
            var lp = r["log_probs"].ToArray<float>();
            for (int i = 0; i < b; i++)
            {
                int best = 0;
                for (int k = 1; k < v; k++) if (lp[i * v + k] > lp[i * v + best]) best = k;
                prev[i] = best;
                if (done[i]) continue;
                if (best == TranslationVocabulary.Eos) done[i] = true;
                else outputs[i].Add(best);
            }
        }
        return outputs.Select(o => string.Join(' ', model.TargetVocabulary.Decode(o))).ToArray();
    }
}
