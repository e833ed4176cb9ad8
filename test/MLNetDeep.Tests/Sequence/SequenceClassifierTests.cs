using MLNetDeep.Conversion;
using MLNetDeep.Data;
using MLNetDeep.Estimators.Sequence;
using MLNetDeep.Tests.Pipeline;
using NUnit.Framework;

namespace MLNetDeep.Tests.Sequence;

/// <summary>The sequence classifier: learns word order, every cell/pooling trains, metrics, save/load, initial embeddings, clear errors.</summary>
public class SequenceClassifierTests
{
    internal static EstimatorChain<KeyToValueMappingTransformer> Pipeline(DeepContext ctx, SequenceClassifierOptions options) =>
        ctx.Transforms.Text.TokenizeIntoWords("Words", "Text")
            .Append(ctx.Transforms.Conversion.MapValueToKey("Tokens", "Words", new ValueToKeyMappingOptions { UnknownToken = "<unk>" }))
            .Append(ctx.Transforms.Conversion.MapValueToKey("Label"))
            .Append(ctx.Text.Trainers.SequenceClassifier(options))
            .Append(ctx.Transforms.Conversion.MapKeyToValue("PredictedText", "PredictedLabel"));

    private static double Accuracy(DeepContext ctx, ITransformer model, List<TextRow> rows)
    {
        var scored = model.Transform(ctx.Data.LoadFromEnumerable(rows));
        var predicted = scored.GetColumn<string>("PredictedText");
        return rows.Where((r, i) => predicted[i] == r.Label).Count() / (double)rows.Count;
    }

    [TestCase(SequenceCellType.Gru, false, SequencePooling.Last)]
    [TestCase(SequenceCellType.Lstm, true, SequencePooling.Attention)]
    public void LearnsWordOrder_WhichABagOfWordsCannot(SequenceCellType cell, bool bidirectional, SequencePooling pooling)
    {
        var ctx = new DeepContext(seed: 3);
        var options = new SequenceClassifierOptions { Cell = cell, Bidirectional = bidirectional, Pooling = pooling, EmbeddingDimension = 16, HiddenSize = 24, NumberOfEpochs = 12, BatchSize = 32, LearningRate = 0.01, Seed = 4 };
        var model = Pipeline(ctx, options).Fit(ctx.Data.LoadFromEnumerable(SequenceTestData.Order(600, seed: 1)));
        Assert.That(Accuracy(ctx, model, SequenceTestData.Order(300, seed: 2)), Is.GreaterThan(0.9));
    }

    [TestCase(SequenceCellType.Rnn, SequencePooling.Mean, 1, false)]
    [TestCase(SequenceCellType.Gru, SequencePooling.Max, 2, true)]
    [TestCase(SequenceCellType.Lstm, SequencePooling.Last, 2, true)]
    public void EveryCellAndPoolingLearnsATopicTask(SequenceCellType cell, SequencePooling pooling, int layers, bool bidirectional)
    {
        var ctx = new DeepContext(seed: 3);
        var options = new SequenceClassifierOptions { Cell = cell, Pooling = pooling, NumberOfLayers = layers, Bidirectional = bidirectional, Dropout = 0.1, EmbeddingDimension = 16, HiddenSize = 16, NumberOfEpochs = 8, LearningRate = 0.01, Seed = 2 };
        var model = Pipeline(ctx, options).Fit(PipelineTestData.View(ctx, 300, seed: 1));
        Assert.That(Accuracy(ctx, model, PipelineTestData.Make(150, seed: 2)), Is.GreaterThan(0.85));
    }

    [Test]
    public void Evaluate_GivesAccuracyMacroF1AndConfusion()
    {
        var ctx = new DeepContext(seed: 3);
        var model = Pipeline(ctx, new SequenceClassifierOptions { NumberOfEpochs = 8, EmbeddingDimension = 16, HiddenSize = 16, LearningRate = 0.01, Seed = 2 }).Fit(PipelineTestData.View(ctx, 200, seed: 1));
        var classifier = model.Transformers.OfType<SequenceClassificationTransformer>().Single();
        var test = PipelineTestData.Make(90, seed: 5);
        var metrics = classifier.Evaluate(model.Transform(ctx.Data.LoadFromEnumerable(test)));
        Assert.That(metrics.Rows, Is.EqualTo(90));
        Assert.That(metrics.ConfusionMatrix.Sum(r => r.Sum()), Is.EqualTo(90));
        Assert.That(metrics.Accuracy, Is.EqualTo(Accuracy(ctx, model, test)).Within(1e-12));
        Assert.That(metrics.Accuracy, Is.EqualTo(Enumerable.Range(0, 3).Sum(i => metrics.ConfusionMatrix[i][i]) / 90.0).Within(1e-12));
        Assert.That(metrics.MacroF1, Is.GreaterThan(0.8));
    }

    [Test]
    public void MacroF1_OfAKnownMatrix()
    {
        // class 0: tp 3, fn 1, fp 2 → F1 6/9; class 1: tp 4, fn 2, fp 1 → 8/11; class 2: absent and never predicted → skipped.
        long[][] m = [[3, 1, 0], [2, 4, 0], [0, 0, 0]];
        Assert.That(SequenceClassificationMetrics.MacroF1Of(m), Is.EqualTo((6.0 / 9 + 8.0 / 11) / 2).Within(1e-12));
    }

    [Test]
    public void SaveLoad_RoundTripsScores()
    {
        var ctx = new DeepContext(seed: 3);
        var train = PipelineTestData.View(ctx, 100, seed: 1);
        var model = Pipeline(ctx, new SequenceClassifierOptions { Bidirectional = true, Pooling = SequencePooling.Attention, NumberOfEpochs = 1, EmbeddingDimension = 8, HiddenSize = 8, Seed = 2 }).Fit(train);
        string path = Path.Combine(Path.GetTempPath(), "mlnd-seqcls-" + Guid.NewGuid().ToString("N") + ".zip");
        try
        {
            ctx.Model.Save(model, train.Schema, path);
            var loaded = ctx.Model.Load(path, out _);
            var test = PipelineTestData.View(ctx, 40, seed: 7);
            var before = model.Transform(test).GetColumn<float[]>("Score");
            var after = loaded.Transform(test).GetColumn<float[]>("Score");
            for (int i = 0; i < before.Count; i++) Assert.That(after[i], Is.EqualTo(before[i]));
            Assert.That(loaded.Transform(test).GetColumn<string>("PredictedText"), Is.EqualTo(model.Transform(test).GetColumn<string>("PredictedText")));
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void InitialEmbeddings_AreCopiedAndCanBeFrozen()
    {
        var ctx = new DeepContext(seed: 3);
        var vectors = new float[] { 1, 2, 3, 4, -1, -2, -3, -4 };
        var initial = new InitialEmbeddings(["goal", "oven"], vectors, 4);
        var model = Pipeline(ctx, new SequenceClassifierOptions { EmbeddingDimension = 4, HiddenSize = 4, NumberOfEpochs = 1, InitialEmbeddings = initial, TrainEmbeddings = false, Seed = 1 })
            .Fit(PipelineTestData.View(ctx, 60, seed: 1));
        var classifier = model.Transformers.OfType<SequenceClassificationTransformer>().Single();
        var names = model.Transformers[1].GetOutputSchema(model.Transformers[0].GetOutputSchema(PipelineTestData.View(ctx).Schema))["Tokens"].KeyValues!;
        var table = classifier.Network.Embedding.Weight.ToArray<float>();
        int goal = names.ToList().IndexOf("goal") + 1, oven = names.ToList().IndexOf("oven") + 1;
        Assert.That(table.AsSpan(goal * 4, 4).ToArray(), Is.EqualTo(new float[] { 1, 2, 3, 4 }));
        Assert.That(table.AsSpan(oven * 4, 4).ToArray(), Is.EqualTo(new float[] { -1, -2, -3, -4 }));
        Assert.That(table.AsSpan(0, 4).ToArray(), Is.EqualTo(new float[4]), "key 0 row stays zero");
        Assert.Throws<ArgumentException>(() => ctx.Text.Trainers.SequenceClassifier(new SequenceClassifierOptions { EmbeddingDimension = 8, InitialEmbeddings = initial }));
        Assert.Throws<ArgumentException>(() => new InitialEmbeddings(["a", "a"], new float[8], 4));
    }

    [Test]
    public void InvalidInput_GivesClearErrors()
    {
        var ctx = new DeepContext(seed: 3);
        var model = Pipeline(ctx, new SequenceClassifierOptions { NumberOfEpochs = 1, EmbeddingDimension = 4, HiddenSize = 4, Seed = 1 }).Fit(PipelineTestData.View(ctx, 60, seed: 1));
        var classifier = model.Transformers.OfType<SequenceClassificationTransformer>().Single();
        var empty = Assert.Throws<ArgumentException>(() => classifier.Score([[1, 2], []]))!;
        Assert.That(empty.Message, Does.Contain("'Tokens'").And.Contain("empty"));
        var emptyRow = Assert.Throws<ArgumentException>(() => model.Transform(ctx.Data.LoadFromEnumerable(new[] { new TextRow { Text = "", Label = "sports" } })).GetColumn<float[]>("Score"))!;
        Assert.That(emptyRow.Message, Does.Contain("empty"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => ctx.Text.Trainers.SequenceClassifier(new SequenceClassifierOptions { HiddenSize = 0 }))!.ParamName, Is.EqualTo("HiddenSize"));
        var weights = Assert.Throws<ArgumentException>(() => Pipeline(ctx, new SequenceClassifierOptions { NumberOfEpochs = 1, ClassWeights = [1f, 2f] }).Fit(PipelineTestData.View(ctx, 30, seed: 1)))!;
        Assert.That(weights.Message, Does.Contain("ClassWeights").And.Contain("3 classes"));
        var missing = Assert.Throws<SchemaMismatchException>(() => ctx.Text.Trainers.SequenceClassifier(new SequenceClassifierOptions { LabelColumnName = "Nope" }).GetOutputSchema(PipelineTestData.View(ctx).Schema))!;
        Assert.That(missing.Message, Does.Contain("'Nope'"));
        // A label key beyond the model's classes when evaluating is named.
        var wrong = ctx.Data.LoadFromEnumerable(new[] { new KeyRow { Label = 9, PredictedLabel = 1 } });
        var unknown = Assert.Throws<ArgumentException>(() => classifier.Evaluate(wrong))!;
        Assert.That(unknown.Message, Does.Contain("'Label'").And.Contain("key 9"));
    }

    [Test]
    public void ReportsProgressAndValidationLoss_AndSameSeedSameModel()
    {
        float[] Train(List<TrainingProgress> reports)
        {
            var ctx = new DeepContext(seed: 3);
            var featurize = Pipeline(ctx, new SequenceClassifierOptions()).Estimators.Take(3).Aggregate(new EstimatorChain<ITransformer>(), (c, e) => c.Append(e)).Fit(PipelineTestData.View(ctx, 80));
            var trainer = ctx.Text.Trainers.SequenceClassifier(new SequenceClassifierOptions { NumberOfEpochs = 2, BatchSize = 16, ProgressInterval = 2, Dropout = 0.2, EmbeddingDimension = 8, HiddenSize = 8, Seed = 5, Progress = new SyncProgress(reports.Add) });
            var model = trainer.Fit(featurize.Transform(PipelineTestData.View(ctx, 80)), featurize.Transform(PipelineTestData.View(ctx, 30, seed: 4)));
            return model.Score([[1, 2, 3]])[0];
        }
        var first = new List<TrainingProgress>();
        var scores = Train(first);
        Assert.That(first.Where(r => r.IsEpochEnd).Select(r => r.Epoch), Is.EqualTo(new[] { 1, 2 }));
        Assert.That(first.Where(r => r.IsEpochEnd).All(r => r.ValidationLoss is > 0), Is.True);
        Assert.That(first.Any(r => !r.IsEpochEnd && r.Step % 2 == 0), Is.True, "step reports");
        Assert.That(Train([]), Is.EqualTo(scores), "same seed, same model (dropout included)");
    }

    private sealed class SyncProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    [Test]
    public void CancellationStopsTraining()
    {
        var ctx = new DeepContext(seed: 3);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => Pipeline(ctx, new SequenceClassifierOptions { CancellationToken = cts.Token }).Fit(PipelineTestData.View(ctx)));
    }

    public sealed class KeyRow
    {
        [KeyType(3)]
        public uint Label { get; set; }

        [KeyType(3)]
        public uint PredictedLabel { get; set; }
    }
}
