using MLNetDeep.Data;
using MLNetDeep.Estimators.Translation;
using MLNetDeep.Estimators.Vision;
using MLNetDeep.Tensors;
using NUnit.Framework;

namespace MLNetDeep.Tests.Translation;

/// <summary>The translator on a toy task (reverse the words, upper-case them): learns, decodes greedily and with a beam, saves, resumes.</summary>
[NonParallelizable]
public class Seq2SeqTests
{
    private sealed class SyncProgress(Action<Seq2SeqProgress> report) : IProgress<Seq2SeqProgress>
    {
        public void Report(Seq2SeqProgress value) => report(value);
    }

    private static Seq2SeqOptions Tiny(int epochs = 12, int seed = 3) => new()
    {
        EmbeddingDimension = 16,
        HiddenSize = 32,
        BatchSize = 16,
        NumberOfEpochs = epochs,
        LearningRate = 0.01,
        MaxTargetLength = 10,
        Seed = seed,
        ProgressInterval = 0,
    };

    private static Seq2SeqTransformer? s_trained;
    private static List<Seq2SeqProgress> s_reports = [];

    /// <summary>One trained toy model shared by the tests that only read it.</summary>
    private static Seq2SeqTransformer Trained(out DeepContext ctx)
    {
        ctx = new DeepContext(seed: 1);
        if (s_trained is not null) return s_trained;
        var options = Tiny();
        options.Progress = new SyncProgress(s_reports.Add);
        options.ProgressInterval = 10;
        var train = ctx.Data.LoadFromEnumerable(TranslationTestData.ReversedUpper(400, seed: 1));
        var valid = ctx.Data.LoadFromEnumerable(TranslationTestData.ReversedUpper(40, seed: 2));
        s_trained = ctx.Translation.Trainers.Seq2Seq(options).Fit(train, valid);
        return s_trained;
    }

    [Test]
    public void LearnsTheToyTaskAndReportsProgress()
    {
        var model = Trained(out var ctx);
        var test = ctx.Data.LoadFromEnumerable(TranslationTestData.ReversedUpper(60, seed: 9));
        var metrics = ctx.Translation.Evaluate(model.Transform(test), "Target", "Translation");
        Assert.That(metrics.BleuPercent, Is.GreaterThan(60), metrics.ToString());
        Assert.That(metrics.Sentences, Is.EqualTo(60));
        var ends = s_reports.Where(r => r.IsEpochEnd).ToList();
        Assert.That(ends.Select(r => r.Epoch), Is.EqualTo(Enumerable.Range(1, 12)));
        Assert.That(ends[^1].TrainLoss, Is.LessThan(ends[0].TrainLoss / 3), "the loss falls");
        Assert.That(ends.All(r => r.ValidationLoss is > 0 && r.ValidationBleu is >= 0 && r.TokensPerSecond > 0), Is.True);
        Assert.That(ends[^1].ValidationBleu!.Value, Is.GreaterThan(ends[0].ValidationBleu!.Value));
        Assert.That(s_reports.Any(r => !r.IsEpochEnd && r.Step % 10 == 0), Is.True, "step reports");
        Assert.That(model.TrainingHistory.Select(h => h.TrainLoss), Is.EqualTo(ends.Select(r => r.TrainLoss)));
    }

    [Test]
    public void BeamSearchFindsAtLeastTheGreedyLikelihoodAndWidthOneIsGreedy()
    {
        var model = Trained(out _);
        var sources = TranslationTestData.ReversedUpper(30, seed: 5).Select(r => r.Source).ToList();
        var greedy = model.Translate(sources);
        var rawGreedy = model.WithDecoding(1, lengthPenalty: 0).TranslateNBest(sources, 1);
        Assert.That(rawGreedy.Select(h => h[0].Text), Is.EqualTo(greedy), "a beam of width 1 is greedy decoding");
        var beam = model.WithDecoding(4, lengthPenalty: 0).TranslateNBest(sources, 3);
        for (int i = 0; i < sources.Count; i++)
        {
            Assert.That(beam[i], Has.Count.EqualTo(3));
            Assert.That(beam[i][0].LogProbability, Is.GreaterThanOrEqualTo(rawGreedy[i][0].LogProbability - 1e-5), sources[i]);
            Assert.That(beam[i].Where(h => h.Ended).Select(h => h.Score), Is.Ordered.Descending);
            Assert.That(beam[i].SkipWhile(h => h.Ended).All(h => !h.Ended), Is.True, "hypotheses cut at the length limit come last");
            Assert.That(beam[i].Select(h => h.Text).Distinct().Count(), Is.EqualTo(3), "n-best entries differ");
        }
        Assert.That(model.WithDecoding(4).Translate(sources).Zip(sources).Count(p => p.First == Reverse(p.Second)), Is.GreaterThan(15));
    }

    private static string Reverse(string s) => string.Join(' ', s.Split(' ').Reverse().Select(w => w.ToUpperInvariant()));

    [Test]
    public void SavesAndLoadsThroughTheModelArchive()
    {
        var model = Trained(out var ctx).WithDecoding(3, 0.5);
        var data = ctx.Data.LoadFromEnumerable(TranslationTestData.ReversedUpper(20, seed: 6));
        string path = Path.Combine(Path.GetTempPath(), $"seq2seq-{Guid.NewGuid():N}.zip");
        try
        {
            ctx.Model.Save(model, data.Schema, path);
            var loaded = (Seq2SeqTransformer)new DeepContext().Model.Load(path, out var schema);
            Assert.That(schema.GetColumnOrNull("Source"), Is.Not.Null);
            Assert.That(loaded.BeamSize, Is.EqualTo(3));
            Assert.That(loaded.TrainingHistory, Is.EqualTo(model.TrainingHistory));
            Assert.That(loaded.Transform(data).GetColumn<string>("Translation"), Is.EqualTo(model.Transform(data).GetColumn<string>("Translation")));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void NBestColumnsHoldTheBeamsRankedHypothesesAndSurviveSaveLoad()
    {
        var model = Trained(out var ctx).WithDecoding(3, 0.5);
        var data = ctx.Data.LoadFromEnumerable(TranslationTestData.ReversedUpper(20, seed: 6));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.WithNBest(4), "n-best wider than the beam");
        var withNBest = model.WithNBest(3);
        var output = withNBest.Transform(data);
        Assert.That(output.Schema["TranslationNBest"].Type, Is.TypeOf<VectorDataViewType>().And.Property("Size").EqualTo(3));
        Assert.That(((VectorDataViewType)output.Schema["TranslationNBest"].Type).ItemType, Is.EqualTo(TextDataViewType.Instance));
        Assert.That(((VectorDataViewType)output.Schema["TranslationNBestScores"].Type).ItemType, Is.EqualTo(NumberDataViewType.Single));
        Assert.That(((VectorDataViewType)output.Schema["TranslationNBestScores"].Type).Size, Is.EqualTo(3));
        var nBest = output.GetColumn<string[]>("TranslationNBest").ToList();
        var scores = output.GetColumn<float[]>("TranslationNBestScores").ToList();
        var plain = model.Transform(data).GetColumn<string>("Translation").ToList();
        Assert.That(model.Transform(data).Schema.GetColumnOrNull("TranslationNBest"), Is.Null, "no n-best columns by default");
        Assert.That(nBest.Select(n => n[0]), Is.EqualTo(plain), "the first of the n-best is the translation of the same beam");
        Assert.That(output.GetColumn<string>("Translation"), Is.EqualTo(plain));
        var reference = model.TranslateNBest(data.GetColumn<string>("Source").ToList(), 3);
        for (int i = 0; i < nBest.Count; i++)
        {
            Assert.That(nBest[i], Has.Length.EqualTo(3));
            Assert.That(nBest[i].Distinct().Count(), Is.EqualTo(3), "distinct hypotheses");
            Assert.That(scores[i], Is.Ordered.Descending, "scores rank the hypotheses");
            Assert.That(scores[i], Is.EqualTo(reference[i].Select(h => (float)h.Score)), "length-penalised log-probabilities");
            Assert.That(scores[i].All(float.IsNegative), Is.True, "log-probabilities");
        }
        string path = Path.Combine(Path.GetTempPath(), $"seq2seq-nbest-{Guid.NewGuid():N}.zip");
        try
        {
            ctx.Model.Save(withNBest, data.Schema, path);
            var loaded = (Seq2SeqTransformer)new DeepContext().Model.Load(path, out _);
            Assert.That(loaded.NBest, Is.EqualTo(3));
            var again = loaded.Transform(data);
            Assert.That(again.GetColumn<string[]>("TranslationNBest"), Is.EqualTo(nBest));
            Assert.That(again.GetColumn<float[]>("TranslationNBestScores"), Is.EqualTo(scores));
        }
        finally
        {
            File.Delete(path);
        }
        var trainer = ctx.Translation.Trainers.Seq2Seq(new Seq2SeqOptions { BeamSize = 2, NBest = 2 });
        Assert.That(trainer.GetOutputSchema(data.Schema).GetColumnOrNull("TranslationNBestScores"), Is.Not.Null, "the option adds the columns at fit");
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ctx.Translation.Trainers.Seq2Seq(new Seq2SeqOptions { NBest = 2 }));
        Assert.That(e!.ParamName, Is.EqualTo("NBest"));
    }

    [TestCase(ImageOptimizer.Adam, LearningRateSchedule.Constant, 1.0)]
    [TestCase(ImageOptimizer.SgdMomentum, LearningRateSchedule.Cosine, 1.0)]
    [TestCase(ImageOptimizer.Adam, LearningRateSchedule.Step, 0.8)]
    public void CancelledMidEpochThenResumedEqualsAnUninterruptedRun(ImageOptimizer optimizer, LearningRateSchedule schedule, double decay)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"seq2seq-ckpt-{Guid.NewGuid():N}");
        try
        {
            var ctx = new DeepContext(seed: 1);
            var train = ctx.Data.LoadFromEnumerable(TranslationTestData.ReversedUpper(120, seed: 4));
            Seq2SeqOptions Options(string ckpt)
            {
                var o = Tiny(epochs: 3, seed: 8);
                o.Dropout = 0.1;
                (o.Optimizer, o.Schedule, o.LearningRateDecay) = (optimizer, schedule, decay);
                if (optimizer == ImageOptimizer.SgdMomentum) o.LearningRate = 0.1;
                o.CheckpointPath = Path.Combine(dir, ckpt);
                return o;
            }
            var straight = ctx.Translation.Trainers.Seq2Seq(Options("a.ckpt")).Fit(train);
            var otherSchedule = Options("a.ckpt");
            otherSchedule.Schedule = schedule == LearningRateSchedule.Constant ? LearningRateSchedule.Cosine : LearningRateSchedule.Constant;
            Assert.Throws<InvalidDataException>(() => ctx.Translation.Trainers.Seq2Seq(otherSchedule).Fit(train), "a checkpoint of another schedule is refused");

            using var cts = new CancellationTokenSource();
            var interrupted = Options("b.ckpt");
            interrupted.CancellationToken = cts.Token;
            interrupted.ProgressInterval = 1;
            interrupted.Progress = new SyncProgress(p => { if (p.Epoch == 2 && p.Step >= 12) cts.Cancel(); });
            Assert.Throws<OperationCanceledException>(() => ctx.Translation.Trainers.Seq2Seq(interrupted).Fit(train));
            Assert.That(File.Exists(interrupted.CheckpointPath), Is.True, "epoch 1 was checkpointed");

            var resumed = ctx.Translation.Trainers.Seq2Seq(Options("b.ckpt")).Fit(train);
            Assert.That(resumed.TrainingHistory.Select(h => h.TrainLoss), Is.EqualTo(straight.TrainingHistory.Select(h => h.TrainLoss)));
            var a = straight.Network.StateDict();
            var b = resumed.Network.StateDict();
            Assert.That(b.Keys, Is.EqualTo(a.Keys));
            foreach (var (name, t) in a) Assert.That(b[name].ToArray<float>(), Is.EqualTo(t.ToArray<float>()), name);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [TestCase(Seq2SeqCell.Lstm, Seq2SeqAttentionKind.Bahdanau, true, 2, 0.5)]
    [TestCase(Seq2SeqCell.Gru, Seq2SeqAttentionKind.LuongGeneral, true, 1, 1.0)]
    [TestCase(Seq2SeqCell.Lstm, Seq2SeqAttentionKind.None, false, 2, 1.0)]
    public void EveryArchitectureTrainsSavesAndReloads(Seq2SeqCell cell, Seq2SeqAttentionKind attention, bool bidirectional, int layers, double teacherForcing)
    {
        var ctx = new DeepContext(seed: 1);
        var o = Tiny(epochs: 3);
        o.Cell = cell;
        o.Attention = attention;
        o.BidirectionalEncoder = bidirectional;
        o.NumberOfLayers = layers;
        o.TeacherForcingRatio = teacherForcing;
        o.Dropout = 0.1;
        o.SharedVocabulary = true;
        o.BeamSize = 2;
        var data = ctx.Data.LoadFromEnumerable(TranslationTestData.ReversedUpper(100, seed: 7));
        var model = ctx.Translation.Trainers.Seq2Seq(o).Fit(data);
        Assert.That(model.TrainingHistory[^1].TrainLoss, Is.LessThan(model.TrainingHistory[0].TrainLoss));
        Assert.That(model.SourceVocabulary, Is.SameAs(model.TargetVocabulary));
        string path = Path.Combine(Path.GetTempPath(), $"seq2seq-{Guid.NewGuid():N}.zip");
        try
        {
            ctx.Model.Save(model, data.Schema, path);
            var loaded = ctx.Model.Load(path, out _);
            Assert.That(loaded.Transform(data).GetColumn<string>("Translation"), Is.EqualTo(model.Transform(data).GetColumn<string>("Translation")));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void BadInputNamesTheColumnOrOption()
    {
        var ctx = new DeepContext(seed: 1);
        var data = ctx.Data.LoadFromEnumerable(TranslationTestData.ReversedUpper(5, seed: 1));
        var e = Assert.Throws<SchemaMismatchException>(() => ctx.Translation.Trainers.Seq2Seq(sourceColumnName: "English").Fit(data));
        Assert.That(e!.Message, Does.Contain("'English'"));
        Assert.Throws<SchemaMismatchException>(() => ctx.Translation.Trainers.Seq2Seq().GetOutputSchema(ctx.Data.LoadFromEnumerable(new[] { new NumericSourceRow() }).Schema));
        Assert.Throws<ArgumentOutOfRangeException>(() => ctx.Translation.Trainers.Seq2Seq(new Seq2SeqOptions { TeacherForcingRatio = 2 }));
        Assert.Throws<InvalidOperationException>(() => ctx.Text.Trainers.Seq2Seq());
        Assert.That(ctx.Translation.Trainers.Seq2Seq().GetOutputSchema(data.Schema)["Translation"].Type, Is.EqualTo(TextDataViewType.Instance));
    }
}
