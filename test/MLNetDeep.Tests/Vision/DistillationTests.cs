using MLNetDeep.Data;
using MLNetDeep.Estimators.Vision;
using MLNetDeep.Tensors;
using NUnit.Framework;

namespace MLNetDeep.Tests.Vision;

/// <summary>The distillation loss on a hand case, the trainer with both kinds of teacher, and the gain of distillation on Fashion-MNIST.</summary>
public class DistillationTests
{
    [Test]
    public void SoftLoss_HasTheT2ScaledKlValueAndGradient()
    {
        double[][] s = [[1.0, 2.0, 0.5], [-0.5, 0.0, 3.0]], t = [[0.3, -1.0, 2.0], [1.0, 1.0, -2.0]];
        const double T = 2.5;
        var student = Tensor.FromArray(s.SelectMany(r => r).Select(v => (float)v).ToArray(), 2, 3).RequiresGrad_();
        var teacher = Tensor.FromArray(t.SelectMany(r => r).Select(v => (float)v).ToArray(), 2, 3);
        var loss = DistillationLoss.Soft(student, teacher, T);
        loss.Backward();
        static double[] Softmax(double[] z, double temp)
        {
            var e = z.Select(v => Math.Exp(v / temp)).ToArray();
            return e.Select(v => v / e.Sum()).ToArray();
        }
        double expected = 0;
        var grad = new double[6];
        for (int r = 0; r < 2; r++)
        {
            var p = Softmax(t[r], T);
            var q = Softmax(s[r], T);
            for (int k = 0; k < 3; k++)
            {
                expected += T * T * p[k] * Math.Log(p[k] / q[k]) / 2;
                grad[r * 3 + k] = T * (q[k] - p[k]) / 2;
            }
        }
        Assert.That(loss.Item(), Is.EqualTo(expected).Within(1e-5));
        Assert.That(student.Grad!.ToArray<float>(), Is.EqualTo(grad.Select(v => (float)v).ToArray()).Within(1e-6f));
        // Identical logits: zero loss. Alpha 0: plain cross-entropy.
        Assert.That(DistillationLoss.Soft(teacher, teacher, T).Item(), Is.EqualTo(0).Within(1e-6));
        var labels = Tensor.FromArray(new long[] { 2, 0 }, 2);
        Assert.That(DistillationLoss.Combined(teacher, student.Detach(), labels, T, 0).Item(), Is.EqualTo(F.CrossEntropy(teacher, labels).Item()).Within(1e-6));
    }

    [Test]
    public void OnnxTeacher_TurnsAugmentationOff_AndMismatchedClassesThrow()
    {
        var ctx = new DeepContext(2);
        var train = ImageClassifierTests.Bars(ctx, 120, 1);
        var o = ImageClassifierTests.Tiny(ImageArchitecture.SmallCnn);
        o.NumberOfEpochs = 3;
        o.LearningRate = 0.01;
        var teacher = ctx.Vision.Trainers.ImageClassifier(o).Fit(train);
        string path = Path.Combine(Path.GetTempPath(), $"mlnetdeep-teacher-{Guid.NewGuid():N}.onnx");
        try
        {
            ctx.Model.ExportOnnx(teacher, train, path);
            var onnxTeacher = ctx.Transforms.ApplyOnnxModel(path).Fit(train);
            var student = ImageClassifierTests.Tiny(ImageArchitecture.Mlp);
            student.NumberOfEpochs = 4;
            student.LearningRate = 0.01;
            student.Augmentation = new ImageAugmentation { MaxShift = 1 };
            var log = new List<string>();
            ctx.Log += (_, e) => log.Add(e.Message);
            var distilled = ctx.Distillation.Trainers.Student(onnxTeacher, student, temperature: 2, alpha: 0.5).Fit(train);
            Assert.That(log.Any(m => m.Contains("augmentation is off")), "the trainer says it turned augmentation off");
            Assert.That(ctx.Vision.Evaluate(distilled.Transform(ImageClassifierTests.Bars(ctx, 60, 5))).Accuracy, Is.GreaterThan(0.8));
            // Augmentation on with an INetworkClassifier teacher: the teacher runs on the augmented batches.
            var online = ctx.Distillation.Trainers.Student(teacher, student).Fit(train);
            Assert.That(ctx.Vision.Evaluate(online.Transform(ImageClassifierTests.Bars(ctx, 60, 5))).Accuracy, Is.GreaterThan(0.8));
            var wrong = ctx.Vision.Trainers.ImageClassifier(ImageClassifierTests.Tiny(ImageArchitecture.Mlp)).Fit(FashionLike(ctx));
            Assert.Throws<ArgumentException>(() => ctx.Distillation.Trainers.Student(wrong, student).Fit(train));
            Assert.Throws<ArgumentOutOfRangeException>(() => ctx.Distillation.Trainers.Student(teacher, student, temperature: 0));
        }
        finally { File.Delete(path); }
    }

    private static IDataView FashionLike(DeepContext ctx) =>
        ctx.Data.LoadFromEnumerable(Enumerable.Range(0, 8).Select(i => new FashionMnist.Row { Image = new float[784], Label = (uint)(i % 10 + 1) }).ToList());

    [Test]
    public void DistilledStudentBeatsTheStudentAloneOverSeeds()
    {
        var (train, test) = FashionMnist.Require();
        var ctx = new DeepContext(1);
        // Teacher: an MLP trained on 10 000 images. Student: a 32-unit MLP that only sees the first 300 of them (+ the teacher's soft targets).
        // Measured in Release (samples/VisionClassifiers distill, docs/vision.md): alone 74.8 ± 1.2 %, distilled (T 2) 78.4 ± 0.6 %.
        var teacher = ctx.Vision.Trainers.ImageClassifier(new ImageClassifierOptions { Architecture = ImageArchitecture.Mlp, HiddenSize = 128, NumberOfEpochs = 2, BatchSize = 128, LearningRate = 2e-3, Seed = 1 })
            .Fit(FashionMnist.Subset(ctx, train, 0, 10000));
        var studentData = FashionMnist.Subset(ctx, train, 0, 300);
        var testData = FashionMnist.Subset(ctx, test, 0, 1000);
        double Accuracy(ImageClassificationTransformer m) => ctx.Vision.Evaluate(m.Transform(testData)).Accuracy;
        var alone = new List<double>();
        var distilled = new List<double>();
        foreach (int seed in new[] { 1, 2, 3 })
        {
            var options = new ImageClassifierOptions { Architecture = ImageArchitecture.Mlp, HiddenSize = 32, DropoutRate = 0, NumberOfEpochs = 30, BatchSize = 32, LearningRate = 2e-3, Seed = seed };
            alone.Add(Accuracy(ctx.Vision.Trainers.ImageClassifier(options).Fit(studentData)));
            distilled.Add(Accuracy(ctx.Distillation.Trainers.Student(teacher, options, temperature: 2, alpha: 0.9).Fit(studentData)));
        }
        TestContext.Out.WriteLine($"teacher {Accuracy(teacher):P1}; alone {string.Join(", ", alone.Select(a => a.ToString("P1")))}; distilled {string.Join(", ", distilled.Select(a => a.ToString("P1")))}");
        Assert.That(distilled.Average(), Is.GreaterThan(alone.Average()), "distillation helps on average over 3 seeds");
    }
}
