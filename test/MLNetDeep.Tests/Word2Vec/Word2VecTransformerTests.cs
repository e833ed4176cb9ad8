using MLNetDeep.Data;
using MLNetDeep.Estimators.Word2Vec;
using MLNetDeep.Tests.Pipeline;
using NUnit.Framework;

namespace MLNetDeep.Tests.Word2Vec;

/// <summary>
/// The word2vec estimator and transformer on the small topical corpus of the pipeline tests: topic words
/// end up nearest each other, outputs follow the pooling and unknown-word options, save/load keeps them,
/// one thread is reproducible, bad input and cancellation are reported.
/// </summary>
public class Word2VecTransformerTests
{
    private static readonly string[] Sports = ["goal", "match", "team", "score", "coach", "league", "ball", "referee"];

    internal static Word2VecOptions SmallOptions(Word2VecArchitecture arch = Word2VecArchitecture.SkipGram) => new()
    {
        Architecture = arch, VectorSize = 16, Window = 5, MinCount = 1, Sample = 0, NumberOfEpochs = 5, NumberOfThreads = 1, Seed = 3,
    };

    internal static (IDataView Tokens, DeepContext Ctx) Corpus(int rows = 1500)
    {
        var ctx = new DeepContext(seed: 1);
        var data = PipelineTestData.View(ctx, rows, seed: 4);
        var tokens = ctx.Transforms.Text.NormalizeText("Text").Append(ctx.Transforms.Text.TokenizeIntoWords("Tokens", "Text")).Fit(data).Transform(data);
        return (tokens, ctx);
    }

    internal static Word2VecTransformer Fit(Word2VecOptions options, int rows = 1500)
    {
        var (tokens, ctx) = Corpus(rows);
        return ctx.Transforms.Text.TrainWord2Vec("Features", "Tokens", options).Fit(tokens);
    }

    [TestCase(Word2VecArchitecture.Cbow, false)]
    [TestCase(Word2VecArchitecture.SkipGram, false)]
    [TestCase(Word2VecArchitecture.SkipGram, true)]
    public void TopicWords_AreNearestNeighbours(Word2VecArchitecture arch, bool hs)
    {
        var o = SmallOptions(arch);
        if (hs)
        {
            o.HierarchicalSoftmax = true;
            o.NegativeSamples = 0;
        }
        var model = Fit(o).Model;
        var near = model.MostSimilar("goal", 3).Select(x => x.Word).ToList();
        Assert.That(near, Is.SubsetOf(Sports), $"neighbours of 'goal': {string.Join(", ", near)}");
        Assert.That(model.Similarity("goal", "match"), Is.GreaterThan(model.Similarity("goal", "oven")));
        Assert.That(model.Similarity("goal", "goal"), Is.EqualTo(1).Within(1e-5));
    }

    [Test]
    public void OneThread_SameSeed_SameVectors_OtherSeedDiffers()
    {
        var a = Fit(SmallOptions(), 300).Model;
        var b = Fit(SmallOptions(), 300).Model;
        var o = SmallOptions();
        o.Seed = 4;
        var c = Fit(o, 300).Model;
        Assert.That(b.Vectors.ToArray(), Is.EqualTo(a.Vectors.ToArray()));
        Assert.That(c.Vectors.ToArray(), Is.Not.EqualTo(a.Vectors.ToArray()));
    }

    [Test]
    public void StreamingEveryEpoch_GivesTheSameVectorsAsTheIdCache()
    {
        var cached = Fit(SmallOptions(), 300).Model;
        var o = SmallOptions();
        o.CorpusCacheSize = 0;
        var streamed = Fit(o, 300).Model;
        var both = SmallOptions();
        both.HierarchicalSoftmax = true;
        var hsAndNegative = Fit(both, 300).Model;
        Assert.That(streamed.Vectors.ToArray(), Is.EqualTo(cached.Vectors.ToArray()));
        Assert.That(hsAndNegative.Vectors.ToArray(), Is.Not.EqualTo(cached.Vectors.ToArray()), "hierarchical softmax adds updates");
    }

    [Test]
    public void Outputs_FollowPoolingAndUnknownWordPolicy()
    {
        var (tokens, ctx) = Corpus(300);
        var o = SmallOptions();
        o.Pooling = Word2VecPooling.MinMeanMax;
        var t = ctx.Transforms.Text.TrainWord2Vec("Features", "Tokens", o).Fit(tokens);
        var m = t.Model;
        string[] row = ["goal", "nosuchword", "oven"];
        var g = m.GetVector("goal");
        var v = m.GetVector("oven");
        int d = m.VectorSize;
        var pooled = t.GetSentenceVector(row);
        Assert.That(pooled, Has.Length.EqualTo(3 * d));
        for (int k = 0; k < d; k++)
        {
            Assert.That(pooled[k], Is.EqualTo(Math.Min(g[k], v[k])));
            Assert.That(pooled[d + k], Is.EqualTo((g[k] + v[k]) / 2).Within(1e-6));
            Assert.That(pooled[2 * d + k], Is.EqualTo(Math.Max(g[k], v[k])));
        }
        Assert.That(t.GetTokenVectors(row), Is.EqualTo(g.Concat(v).ToArray()), "Ignore drops unknown tokens");
        Assert.That(t.GetSentenceVector(["nosuchword"]), Is.All.EqualTo(0f));

        var zero = new Word2VecTransformer(m, "Tokens", "Features", "FeaturesTokens", Word2VecPooling.Mean, UnknownWordPolicy.ZeroVector);
        Assert.That(zero.GetTokenVectors(row), Has.Length.EqualTo(3 * d));
        Assert.That(zero.GetSentenceVector(row)[0], Is.EqualTo((g[0] + v[0]) / 3).Within(1e-6), "the zero vector counts in the mean");
        var strict = new Word2VecTransformer(m, "Tokens", "Features", "FeaturesTokens", Word2VecPooling.Mean, UnknownWordPolicy.Error);
        var e = Assert.Throws<KeyNotFoundException>(() => strict.GetSentenceVector(row))!;
        Assert.That(e.Message, Does.Contain("nosuchword").And.Contain("Tokens"));
        Assert.Throws<KeyNotFoundException>(() => m.GetVector("nosuchword"));

        var scored = t.Transform(tokens);
        Assert.That(scored.Schema["Features"].Type, Is.EqualTo(new VectorDataViewType(NumberDataViewType.Single, 3 * d)));
        var first = tokens.GetColumn<string[]>("Tokens")[0];
        Assert.That(scored.GetColumn<float[]>("Features")[0], Is.EqualTo(t.GetSentenceVector(first)));
        Assert.That(scored.GetColumn<float[]>("FeaturesTokens")[0], Is.EqualTo(t.GetTokenVectors(first)));
    }

    [Test]
    public void SaveLoad_RoundTrips()
    {
        var (tokens, ctx) = Corpus(300);
        var model = ctx.Transforms.Text.TrainWord2Vec("Features", "Tokens", SmallOptions()).Fit(tokens);
        string path = Path.Combine(Path.GetTempPath(), "mlnd-w2v-" + Guid.NewGuid().ToString("N") + ".zip");
        try
        {
            ctx.Model.Save(model, tokens.Schema, path);
            var loaded = ctx.Model.Load(path, out var schema);
            var w2v = (Word2VecTransformer)loaded;
            Assert.That(w2v.Model.Words, Is.EqualTo(model.Model.Words));
            Assert.That(w2v.Model.Counts, Is.EqualTo(model.Model.Counts));
            Assert.That(w2v.Model.Vectors.ToArray(), Is.EqualTo(model.Model.Vectors.ToArray()));
            Assert.That(loaded.Transform(tokens).GetColumn<float[]>("Features"), Is.EqualTo(model.Transform(tokens).GetColumn<float[]>("Features")));
            Assert.That(schema["Tokens"].Type, Is.EqualTo(tokens.Schema["Tokens"].Type));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void BadInput_IsReported()
    {
        var ctx = new DeepContext(seed: 1);
        var text = PipelineTestData.View(ctx, 10);
        var e = Assert.Throws<SchemaMismatchException>(() => ctx.Transforms.Text.TrainWord2Vec("Features", "Text").Fit(text))!;
        Assert.That(e.Message, Does.Contain("'Text'").And.Contain("Vector<Text>"));
        Assert.Throws<SchemaMismatchException>(() => ctx.Transforms.Text.TrainWord2Vec("Features", "Missing").GetOutputSchema(text.Schema));
        Assert.Throws<ArgumentOutOfRangeException>(() => ctx.Transforms.Text.TrainWord2Vec("F", "T", new Word2VecOptions { Window = 0 }));
        var (tokens, c2) = Corpus(20);
        var tooRare = Assert.Throws<InvalidOperationException>(() => c2.Transforms.Text.TrainWord2Vec("F", "Tokens", new Word2VecOptions { MinCount = 100_000 }).Fit(tokens))!;
        Assert.That(tooRare.Message, Does.Contain("MinCount"));
    }

    [Test]
    public void Progress_IsReported_AndCancellationStops()
    {
        var reports = new List<Word2VecProgress>();
        var o = SmallOptions();
        o.NumberOfThreads = 2;
        o.Progress = new Sink(reports.Add);
        var m = Fit(o, 300);
        var ends = reports.Where(r => r.IsEpochEnd).ToList();
        Assert.That(ends.Select(r => r.Epoch), Is.EqualTo(new[] { 1, 2, 3, 4, 5 }));
        Assert.That(ends[^1].WordsProcessed, Is.EqualTo(5 * m.Model.Counts.Sum()));
        Assert.That(ends[^1].LearningRate, Is.LessThan(ends[0].LearningRate));
        Assert.That(ends[^1].WordsPerSecond, Is.GreaterThan(0));

        using var cts = new CancellationTokenSource();
        var c = SmallOptions();
        c.CancellationToken = cts.Token;
        c.Progress = new Sink(_ => cts.Cancel());
        Assert.Throws<OperationCanceledException>(() => Fit(c, 300));
    }

    internal sealed class Sink(Action<Word2VecProgress> action) : IProgress<Word2VecProgress>
    {
        public void Report(Word2VecProgress value) => action(value);
    }
}
