using MLNetDeep.Data;
using MLNetDeep.Estimators.Compression;
using MLNetDeep.Estimators.Vision;
using MLNetDeep.Tensors;
using NUnit.Framework;

namespace MLNetDeep.Tests.Vision;

/// <summary>The image classifier on synthetic images and a small Fashion-MNIST subset: training, scoring, save/load, the INetworkClassifier contract.</summary>
public class ImageClassifierTests
{
    /// <summary>Synthetic 1×12×12 images of 3 classes: a bright bar at a class-specific row band, plus noise.</summary>
    internal static IDataView Bars(DeepContext ctx, int count, int seed, int side = 12)
    {
        var g = new Random(seed);
        var rows = new List<SmallRow>();
        for (int i = 0; i < count; i++)
        {
            int cls = i % 3;
            var x = new float[side * side];
            for (int p = 0; p < x.Length; p++) x[p] = (float)(g.NextDouble() * 0.3);
            int band = cls * side / 3 + g.Next(side / 3 - 1);
            for (int c = 0; c < side; c++) x[band * side + c] = 1f;
            rows.Add(new SmallRow { Image = x, Label = (uint)(cls + 1) });
        }
        return ctx.Data.LoadFromEnumerable(rows);
    }

    public sealed class SmallRow
    {
        [VectorType(144)]
        public float[] Image { get; set; } = [];

        [KeyType(3)]
        public uint Label { get; set; }
    }

    internal static ImageClassifierOptions Tiny(ImageArchitecture architecture) => new()
    {
        Architecture = architecture, HiddenSize = 16, Width = 4, Depth = 8, GrowthRate = 4, DenseLayers = 2, WidthMultiplier = 0.25,
        BatchSize = 16, NumberOfEpochs = 1, Seed = 3,
    };

    [Test]
    public void EachArchitecture_ForwardShapeAndOneTrainingStepChangesWeights([Values] ImageArchitecture architecture)
    {
        var o = Tiny(architecture);
        var net = ImageNetworks.Build(o, [1, 28, 28], 10, new Generator(1));
        net.Eval();
        using (Tensor.NoGrad())
            Assert.That(net.Forward(Tensor.Randn([3, 1, 28, 28], new Generator(2))).Shape.ToArray(), Is.EqualTo(new[] { 3, 10 }));
        var ctx = new DeepContext(1);
        var data = Bars(ctx, 16, seed: 1);
        var model = ctx.Vision.Trainers.ImageClassifier(o).Fit(data);
        var fresh = ImageNetworks.Build(o, [1, 12, 12], 3, new Generator(3));
        var trained = model.Network.StateDict();
        Assert.That(fresh.StateDict().Where(kv => kv.Value.DType == DType.Float32).Any(kv => !kv.Value.ToArray<float>().SequenceEqual(trained[kv.Key].ToArray<float>())),
            "one step changed some weight");
        var scores = model.Transform(data).GetColumn<float[]>("Score");
        Assert.That(scores.All(s => s.Length == 3 && Math.Abs(s.Sum() - 1) < 1e-4 && s.All(float.IsFinite)));
    }

    [Test]
    public void LearnsSyntheticBars_ReportsProgress_SameSeedSameModel()
    {
        var ctx = new DeepContext(1);
        var train = Bars(ctx, 240, seed: 1);
        var test = Bars(ctx, 90, seed: 2);
        var reports = new List<TrainingProgress>();
        var o = Tiny(ImageArchitecture.SmallCnn);
        o.NumberOfEpochs = 4;
        o.LearningRate = 0.01;
        o.Progress = new SyncProgress(reports.Add);
        o.ProgressInterval = 5;
        var model = ctx.Vision.Trainers.ImageClassifier(o).Fit(train, test);
        var metrics = ctx.Vision.Evaluate(model.Transform(test));
        Assert.That(metrics.Accuracy, Is.GreaterThan(0.9), "separable bars");
        Assert.That(metrics.ConfusionMatrix.Length, Is.EqualTo(3));
        Assert.That(reports.Count(r => r.IsEpochEnd), Is.EqualTo(4));
        Assert.That(reports.Where(r => r.IsEpochEnd).All(r => r.ValidationLoss is double v && double.IsFinite(v)));
        Assert.That(reports.Any(r => !r.IsEpochEnd), "step reports");
        o.Progress = null;
        var again = ctx.Vision.Trainers.ImageClassifier(o).Fit(train, test);
        Assert.That(again.Transform(test).GetColumn<float[]>("Score"), Is.EqualTo(model.Transform(test).GetColumn<float[]>("Score")), "same seed, same model");
    }

    [Test]
    public void AugmentationScheduleSgdAndEarlyStoppingRun()
    {
        var ctx = new DeepContext(1);
        var o = Tiny(ImageArchitecture.SmallCnn);
        o.NumberOfEpochs = 6;
        o.Optimizer = ImageOptimizer.SgdMomentum;
        o.LearningRate = 0.05;
        o.Schedule = LearningRateSchedule.Cosine;
        o.Augmentation = new ImageAugmentation { CropPadding = 1, MaxShift = 1, HorizontalFlipProbability = 0.5 };
        o.EarlyStoppingPatience = 1;
        var epochs = new List<TrainingProgress>();
        o.Progress = new SyncProgress(p => { if (p.IsEpochEnd) epochs.Add(p); });
        var model = ctx.Vision.Trainers.ImageClassifier(o).Fit(Bars(ctx, 120, 1), Bars(ctx, 60, 2));
        Assert.That(epochs.Count, Is.InRange(2, 6));
        Assert.That(ctx.Vision.Evaluate(model.Transform(Bars(ctx, 60, 3))).Accuracy, Is.GreaterThan(0.6));
    }

    [Test]
    public void Augmenter_ShiftsAndFlipsWithZeroFill()
    {
        var image = Enumerable.Range(1, 9).Select(i => (float)i).ToArray(); // 3×3: rows 1 2 3 / 4 5 6 / 7 8 9
        var flip = image.ToArray();
        new ImageAugmenter(new ImageAugmentation { HorizontalFlipProbability = 1 }, new Generator(1)).Apply(flip, 1, 1, 3, 3);
        Assert.That(flip, Is.EqualTo(new float[] { 3, 2, 1, 6, 5, 4, 9, 8, 7 }));
        var shifted = image.ToArray();
        new ImageAugmenter(new ImageAugmentation { MaxShift = 1 }, new Generator(5)).Apply(shifted, 1, 1, 3, 3);
        Assert.That(shifted.Count(v => v == 0), Is.AnyOf(0, 3, 5), "a shift by (dy, dx) ∈ {-1,0,1}² zero-fills whole rows/columns");
        Assert.That(shifted.Where(v => v != 0), Is.SubsetOf(image));
    }

    [Test]
    public void BadInputNamesTheColumnOrOption()
    {
        var ctx = new DeepContext(1);
        var data = Bars(ctx, 10, 1);
        var e = Assert.Throws<SchemaMismatchException>(() => ctx.Vision.Trainers.ImageClassifier("Label", "Pixels").Fit(data))!;
        Assert.That(e.ColumnName, Is.EqualTo("Pixels"));
        var bad = Assert.Throws<ArgumentOutOfRangeException>(() => ctx.Vision.Trainers.ImageClassifier(new ImageClassifierOptions { Depth = 9 }))!;
        Assert.That(bad.ParamName, Is.EqualTo("Depth"));
        var shape = Assert.Throws<SchemaMismatchException>(() => ctx.Vision.Trainers.ImageClassifier(new ImageClassifierOptions { Channels = 3, ImageHeight = 4, ImageWidth = 4 }).Fit(data))!;
        Assert.That(shape.Message, Does.Contain("144"));
        Assert.Throws<ArgumentException>(() => ctx.Vision.Trainers.ImageClassifier(new ImageClassifierOptions { EarlyStoppingPatience = 2 }).Fit(data));
    }

    [Test]
    public void CancellationStopsTraining()
    {
        var ctx = new DeepContext(1);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var o = Tiny(ImageArchitecture.Mlp);
        o.CancellationToken = cts.Token;
        Assert.Throws<OperationCanceledException>(() => ctx.Vision.Trainers.ImageClassifier(o).Fit(Bars(ctx, 20, 1)));
    }

    [Test]
    public void SaveLoadRoundTripGivesTheSameScores()
    {
        var ctx = new DeepContext(1);
        var data = Bars(ctx, 48, 1);
        foreach (var architecture in new[] { ImageArchitecture.ResNet, ImageArchitecture.DenseNet })
        {
            var model = ctx.Vision.Trainers.ImageClassifier(Tiny(architecture)).Fit(data);
            string path = Path.Combine(Path.GetTempPath(), $"mlnetdeep-vision-{Guid.NewGuid():N}.zip");
            try
            {
                ctx.Model.Save(model, data.Schema, path);
                var loaded = (ImageClassificationTransformer)ctx.Model.Load(path, out var schema);
                Assert.That(schema.Describe(), Is.EqualTo(data.Schema.Describe()));
                Assert.That(loaded.NetworkOptions.Architecture, Is.EqualTo(architecture));
                Assert.That(loaded.Labels, Is.EqualTo(model.Labels));
                Assert.That(loaded.Transform(data).GetColumn<float[]>("Score"), Is.EqualTo(model.Transform(data).GetColumn<float[]>("Score")));
            }
            finally { File.Delete(path); }
        }
    }

    [Test]
    public void NetworkClassifierContract_ReadBatchesAndWithNetwork()
    {
        var ctx = new DeepContext(1);
        var data = Bars(ctx, 21, 1);
        INetworkClassifier model = ctx.Vision.Trainers.ImageClassifier(Tiny(ImageArchitecture.Mlp)).Fit(data);
        Assert.That(model.InputShape, Is.EqualTo(new[] { 1, 12, 12 }));
        Assert.That(model.Labels, Is.EqualTo(new[] { "0", "1", "2" }));
        var batches = model.ReadBatches(data, 8, "Label").ToList();
        Assert.That(batches.Select(b => b.Input.Size(0)), Is.EqualTo(new[] { 8, 8, 5 }));
        Assert.That(batches[0].Input.Shape.ToArray(), Is.EqualTo(new[] { 8, 1, 12, 12 }));
        Assert.That(batches.SelectMany(b => b.Labels.ToArray<long>()).Take(4), Is.EqualTo(new long[] { 0, 1, 2, 0 }));
        Assert.That(model.ReadBatches(data, 50, null).Single().Labels.ToArray<long>(), Is.All.EqualTo(-1));
        // Logits of Network on ReadBatches agree with the transformer's Score.
        Tensor logits;
        using (Tensor.NoGrad()) logits = model.Network.Forward(batches[0].Input);
        var probs = F.Softmax(logits, 1).ToArray<float>();
        var scores = model.Transform(data).GetColumn<float[]>("Score").Take(8).SelectMany(s => s).ToArray();
        Assert.That(scores, Is.EqualTo(probs).Within(1e-6f));
        // WithNetwork: a network that always prefers class 2.
        var constant = new Tensors.Nn.Sequential(new Tensors.Nn.Flatten(), new Tensors.Nn.Linear(144, 3));
        using (Tensor.NoGrad())
        {
            constant.StateDict()["1.weight"].Data<float>().Clear();
            var bias = constant.StateDict()["1.bias"].Data<float>();
            bias.Clear();
            bias[2] = 5;
        }
        var swapped = model.WithNetwork(constant);
        Assert.That(swapped.Transform(data).GetColumn<uint>("PredictedLabel"), Is.All.EqualTo(3u));
        Assert.That(swapped.Labels, Is.EqualTo(model.Labels));
    }

    internal sealed class SyncProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
