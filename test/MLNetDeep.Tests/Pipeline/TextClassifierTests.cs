using MLNetDeep.Data;
using MLNetDeep.Estimators.Text;
using NUnit.Framework;

namespace MLNetDeep.Tests.Pipeline;

public sealed class Prediction
{
    public float[] Score { get; set; } = [];
    public string PredictedText { get; set; } = "";
}

/// <summary>The small trainer: learns, reports progress, cancels, predicts from many threads, reproduces with a seed.</summary>
public class TextClassifierTests
{
    private static EstimatorChain<MLNetDeep.Conversion.KeyToValueMappingTransformer> Pipeline(DeepContext ctx, TextClassifierOptions options) =>
        ctx.Transforms.Text.NormalizeText("Text")
            .Append(ctx.Transforms.Text.TokenizeIntoWords("Words", "Text"))
            .Append(ctx.Transforms.Conversion.MapValueToKey("Tokens", "Words"))
            .Append(ctx.Transforms.Conversion.MapValueToKey("Label"))
            .Append(ctx.Text.Trainers.TextClassifier(options))
            .Append(ctx.Transforms.Conversion.MapKeyToValue("PredictedText", "PredictedLabel"));

    [Test]
    public void LearnsSeparableClassesAndReportsProgress()
    {
        var ctx = new DeepContext(seed: 11);
        var reports = new List<TrainingProgress>();
        var logs = new List<string>();
        ctx.Log += (_, e) => logs.Add(e.Message);
        var options = new TextClassifierOptions { NumberOfEpochs = 6, Seed = 2, Progress = new SyncProgress(reports.Add), ProgressInterval = 5 };
        var train = PipelineTestData.View(ctx, 400, seed: 1);
        var test = PipelineTestData.Make(200, seed: 2);
        var model = Pipeline(ctx, options).Fit(train);
        var engine = ctx.Model.CreatePredictionEngine<TextRow, Prediction>(model);
        double accuracy = test.Count(r => engine.Predict(r).PredictedText == r.Label) / (double)test.Count;
        Assert.That(accuracy, Is.GreaterThan(0.9));
        var epochEnds = reports.Where(r => r.IsEpochEnd).ToList();
        Assert.That(epochEnds.Select(r => r.Epoch), Is.EqualTo(new[] { 1, 2, 3, 4, 5, 6 }));
        Assert.That(epochEnds[^1].TrainLoss, Is.LessThan(epochEnds[0].TrainLoss / 2), "the loss falls");
        Assert.That(reports.Any(r => !r.IsEpochEnd && r.Step % 5 == 0), Is.True, "step reports");
        Assert.That(epochEnds.All(r => r.RowsPerSecond > 0), Is.True);
        Assert.That(logs, Has.Count.EqualTo(6));
    }

    [Test]
    public void ValidationLossIsReported()
    {
        var ctx = new DeepContext(seed: 11);
        var reports = new List<TrainingProgress>();
        var featurize = Pipeline(ctx, new TextClassifierOptions()).Estimators.Take(4).Aggregate(new EstimatorChain<ITransformer>(), (c, e) => c.Append(e)).Fit(PipelineTestData.View(ctx, 100));
        var train = featurize.Transform(PipelineTestData.View(ctx, 100));
        var valid = featurize.Transform(PipelineTestData.View(ctx, 50, seed: 3));
        var trainer = ctx.Text.Trainers.TextClassifier(new TextClassifierOptions { NumberOfEpochs = 2, Seed = 1, Progress = new SyncProgress(reports.Add), ProgressInterval = 0 });
        trainer.Fit(train, valid);
        Assert.That(reports, Has.Count.EqualTo(2));
        Assert.That(reports.All(r => r.ValidationLoss is > 0), Is.True);
    }

    [Test]
    public void SameSeedSameModel()
    {
        float[] Scores()
        {
            var ctx = new DeepContext(seed: 11);
            var model = Pipeline(ctx, new TextClassifierOptions { NumberOfEpochs = 2, Seed = 4 }).Fit(PipelineTestData.View(ctx, 100));
            return ctx.Model.CreatePredictionEngine<TextRow, Prediction>(model).Predict(new TextRow { Text = "goal rain oven" }).Score;
        }
        Assert.That(Scores(), Is.EqualTo(Scores()));
    }

    [Test]
    public void CancellationStopsTraining()
    {
        var ctx = new DeepContext(seed: 11);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => Pipeline(ctx, new TextClassifierOptions { CancellationToken = cts.Token }).Fit(PipelineTestData.View(ctx)));
    }

    [Test]
    public void InvalidOptionsNameTheOption()
    {
        var ctx = new DeepContext(seed: 11);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => ctx.Text.Trainers.TextClassifier(new TextClassifierOptions { BatchSize = 0 }))!;
        Assert.That(ex.ParamName, Is.EqualTo("BatchSize"));
    }

    [Test]
    public void PredictionEngineIsThreadSafeAndMatchesBatchTransform()
    {
        var ctx = new DeepContext(seed: 11);
        var model = Pipeline(ctx, new TextClassifierOptions { NumberOfEpochs = 2, Seed = 4 }).Fit(PipelineTestData.View(ctx, 100));
        var inputs = PipelineTestData.Make(300, seed: 9);
        var batch = ctx.Data.CreateEnumerable<Prediction>(model.Transform(ctx.Data.LoadFromEnumerable(inputs))).ToList();
        var engine = ctx.Model.CreatePredictionEngine<TextRow, Prediction>(model);
        var parallel = new Prediction[inputs.Count];
        Parallel.For(0, inputs.Count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => parallel[i] = engine.Predict(inputs[i]));
        for (int i = 0; i < inputs.Count; i++)
        {
            Assert.That(parallel[i].PredictedText, Is.EqualTo(batch[i].PredictedText));
            Assert.That(parallel[i].Score, Is.EqualTo(batch[i].Score).Within(1e-6f));
        }
        Assert.That(engine.PredictBatch(inputs).Select(p => p.PredictedText), Is.EqualTo(batch.Select(p => p.PredictedText)));
    }

    private sealed class SyncProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
