using System.Globalization;
using MLNetDeep;
using MLNetDeep.Data;
using MLNetDeep.Estimators.Vision;

/// <summary>
/// The distillation table: the same small student trained alone and distilled from a teacher for each temperature,
/// over several seeds, on the first --train-size training images; test accuracy on the full test set as mean ± sd.
/// The teacher is a saved model (--teacher model.zip) or trained here (--teacher-arch spec on --teacher-size images).
/// </summary>
internal static class Distillation
{
    public static void Run(DeepContext ctx, IdxDataView trainSplit, IdxDataView testSplit, SampleArguments a)
    {
        var studentData = Subsets.Take(ctx, trainSplit, a.Int("train-size", 5000));
        var test = a.Has("test-size") ? Subsets.Take(ctx, testSplit, a.Int("test-size", 10000)) : testSplit;
        ITransformer teacher;
        if (a.Has("teacher")) teacher = ctx.Model.Load(a.String("teacher", ""), out _);
        else
        {
            var to = a.ClassifierOptions();
            var spec = SampleArguments.FromSpec(a.String("teacher-arch", "SmallCnn:16"));
            (to.Architecture, to.Width, to.HiddenSize, to.Depth, to.GrowthRate, to.DenseLayers, to.WidthMultiplier) = (spec.Architecture, spec.Width, spec.HiddenSize, spec.Depth, spec.GrowthRate, spec.DenseLayers, spec.WidthMultiplier);
            to.NumberOfEpochs = a.Int("teacher-epochs", 3);
            teacher = ctx.Vision.Trainers.ImageClassifier(to).Fit(Subsets.Take(ctx, trainSplit, a.Int("teacher-size", 60000)));
        }
        double Accuracy(ITransformer m) => ctx.Vision.Evaluate(m.Transform(test)).Accuracy;
        Console.WriteLine(FormattableString.Invariant($"teacher test accuracy {Accuracy(teacher):P2}"));
        int seeds = a.Int("seeds", 3);
        double alpha = a.Double("alpha", 0.9);
        ImageClassifierOptions Student(int seed)
        {
            var o = SampleArguments.FromSpec(a.String("student", "Mlp:32"));
            o.NumberOfEpochs = a.Int("epochs", 10);
            o.BatchSize = a.Int("batch", 64);
            o.LearningRate = a.Double("lr", 1e-3);
            o.DropoutRate = a.Double("dropout", 0);
            o.Seed = seed;
            return o;
        }
        void Row(string name, Func<int, ITransformer> train)
        {
            var acc = Enumerable.Range(1, seeds).Select(seed => Accuracy(train(seed))).ToArray();
            double mean = acc.Average(), sd = Math.Sqrt(acc.Sum(x => (x - mean) * (x - mean)) / Math.Max(1, acc.Length - 1));
            Console.WriteLine(FormattableString.Invariant($"| {name} | {mean * 100:F2} ± {sd * 100:F2} | {string.Join(", ", acc.Select(x => (x * 100).ToString("F2", CultureInfo.InvariantCulture)))} |"));
        }
        Console.WriteLine("| student | test accuracy % (mean ± sd) | per seed |");
        Console.WriteLine("|---|---|---|");
        Row("alone", seed => ctx.Vision.Trainers.ImageClassifier(Student(seed)).Fit(studentData));
        foreach (var t in a.String("temperatures", "1,2,4,8,20").Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture)))
            Row(FormattableString.Invariant($"distilled T={t}, alpha={alpha}"), seed => ctx.Distillation.Trainers.Student(teacher, Student(seed), t, alpha).Fit(studentData));
    }
}
