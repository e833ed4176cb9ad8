using MLNetDeep.Conversion;
using MLNetDeep.Data;
using MLNetDeep.Estimators.Sequence;
using MLNetDeep.Tests.Pipeline;
using NUnit.Framework;

namespace MLNetDeep.Tests.Sequence;

/// <summary>The next-word predictor as a pipeline component: learns a deterministic successor, window, save/load, errors.</summary>
public class NextWordPredictorTests
{
    // "one two three four five six" cycles: the next word is fully determined by the previous one.
    private static readonly string[] Cycle = ["one", "two", "three", "four", "five", "six"];

    private static IDataView Sentences(DeepContext ctx, int rows, int seed)
    {
        var rng = new Random(seed);
        return ctx.Data.LoadFromEnumerable(Enumerable.Range(0, rows).Select(_ =>
        {
            int start = rng.Next(6), n = 3 + rng.Next(6);
            return new TextRow { Text = string.Join(' ', Enumerable.Range(start, n).Select(i => Cycle[i % 6])) };
        }).ToList());
    }

    private static TransformerChain<NextWordPredictionTransformer> Fit(DeepContext ctx, NextWordPredictorOptions options) =>
        ctx.Transforms.Text.TokenizeIntoWords("Words", "Text")
            .Append(ctx.Transforms.Conversion.MapValueToKey("Tokens", "Words", new ValueToKeyMappingOptions { UnknownToken = "<unk>" }))
            .Append(ctx.Text.Trainers.NextWordPredictor(options))
            .Fit(Sentences(ctx, 200, seed: 1));

    [Test]
    public void LearnsTheSuccessor_AndEvaluates()
    {
        var ctx = new DeepContext(seed: 3);
        var model = Fit(ctx, new NextWordPredictorOptions { EmbeddingDimension = 8, HiddenSize = 16, NumberOfEpochs = 6, LearningRate = 0.02, Seed = 1 });
        var lm = model.LastTransformer!;
        Assert.That(lm.PredictNext(["three", "four"], 1)[0].Word, Is.EqualTo("five"));
        Assert.That(lm.PredictNext(["six"], 1)[0].Probability, Is.GreaterThan(0.8f));
        var metrics = lm.Evaluate(new TransformerChain<ITransformer>(model.Transformers.Take(2).ToList()).Transform(Sentences(ctx, 50, seed: 2)));
        Assert.That(metrics.Top1Accuracy, Is.GreaterThan(0.95));
        Assert.That(metrics.Perplexity, Is.LessThan(1.5));
        Assert.That(lm.Generate(["one"], 5, temperature: 0), Is.EqualTo(new[] { "two", "three", "four", "five", "six" }));
        // As a transformer: PredictedLabel names the next word.
        var scored = model.Transform(ctx.Data.LoadFromEnumerable(new[] { new TextRow { Text = "four five" } }));
        var names = scored.Schema["PredictedLabel"].KeyValues!;
        Assert.That(names[(int)scored.GetColumn<uint>("PredictedLabel")[0] - 1], Is.EqualTo("six"));
    }

    [Test]
    public void ContextWindow_KeepsTheLastWords()
    {
        var ctx = new DeepContext(seed: 3);
        var lm = Fit(ctx, new NextWordPredictorOptions { ContextSize = 2, EmbeddingDimension = 4, HiddenSize = 4, NumberOfEpochs = 1, Seed = 1 }).LastTransformer!;
        uint a = lm.KeyOf("one"), b = lm.KeyOf("two"), c = lm.KeyOf("three");
        Assert.That(lm.Score([[a, b, c]])[0], Is.EqualTo(lm.Score([[b, c]])[0]));
        Assert.That(lm.Score([[a, b, c]])[0], Is.Not.EqualTo(lm.Score([[c]])[0]));
        Assert.That(lm.KeyOf("never-seen"), Is.EqualTo(lm.KeyOf("<unk>")).And.Not.EqualTo(0u));
        var full = Fit(ctx, new NextWordPredictorOptions { ContextSize = 0, EmbeddingDimension = 4, HiddenSize = 4, NumberOfEpochs = 1, Seed = 1 }).LastTransformer!;
        Assert.That(full.Score([[a, b, c]])[0], Is.Not.EqualTo(full.Score([[b, c]])[0]), "ContextSize 0 reads the whole prefix");
    }

    [Test]
    public void SaveLoad_RoundTrips()
    {
        var ctx = new DeepContext(seed: 3);
        var model = Fit(ctx, new NextWordPredictorOptions { Cell = SequenceCellType.Gru, EmbeddingDimension = 4, HiddenSize = 6, NumberOfEpochs = 1, Seed = 1 });
        string path = Path.Combine(Path.GetTempPath(), "mlnd-lm-" + Guid.NewGuid().ToString("N") + ".zip");
        try
        {
            ctx.Model.Save(model, Sentences(ctx, 1, 1).Schema, path);
            var loaded = (TransformerChain<ITransformer>)ctx.Model.Load(path, out _);
            var lm = loaded.Transformers.OfType<NextWordPredictionTransformer>().Single();
            Assert.That(lm.ContextSize, Is.EqualTo(5));
            Assert.That(lm.PredictNext(["two", "three"], 3), Is.EqualTo(model.LastTransformer!.PredictNext(["two", "three"], 3)));
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void InvalidInput_GivesClearErrors()
    {
        var ctx = new DeepContext(seed: 3);
        var lm = Fit(ctx, new NextWordPredictorOptions { EmbeddingDimension = 4, HiddenSize = 4, NumberOfEpochs = 1, Seed = 1 }).LastTransformer!;
        Assert.That(Assert.Throws<ArgumentException>(() => lm.Score([[]]))!.Message, Does.Contain("'Tokens'").And.Contain("empty"));
        Assert.That(Assert.Throws<ArgumentException>(() => lm.Generate([], 3))!.Message, Does.Contain("empty"));
        Assert.Throws<ArgumentOutOfRangeException>(() => lm.Generate(["one"], 3, temperature: -1));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => ctx.Text.Trainers.NextWordPredictor(new NextWordPredictorOptions { ContextSize = -1 }))!.ParamName, Is.EqualTo("ContextSize"));
        var wrong = Assert.Throws<SchemaMismatchException>(() => ctx.Text.Trainers.NextWordPredictor().Fit(Sentences(ctx, 5, 1)))!;
        Assert.That(wrong.Message, Does.Contain("'Tokens'"));
    }
}
