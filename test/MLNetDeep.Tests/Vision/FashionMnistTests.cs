using MLNetDeep.Data;
using MLNetDeep.Estimators.Vision;
using NUnit.Framework;

namespace MLNetDeep.Tests.Vision;

/// <summary>LoadFromIdx on the real files and on broken ones, and a short training on a Fashion-MNIST subset.</summary>
public class FashionMnistTests
{
    [Test]
    public void LoadFromIdx_ReadsFashionMnist()
    {
        var (train, test) = FashionMnist.Require();
        Assert.That(train.GetRowCount(), Is.EqualTo(60000));
        Assert.That(test.GetRowCount(), Is.EqualTo(10000));
        Assert.That(train.ImageShape, Is.EqualTo(new[] { 1, 28, 28 }));
        Assert.That(train.Schema["Image"].Type, Is.EqualTo(new VectorDataViewType(NumberDataViewType.Single, 784)));
        Assert.That(train.Schema["Label"].Type, Is.EqualTo(new KeyDataViewType(10)));
        Assert.That(train.Schema["Label"].KeyValues, Is.EqualTo(Enumerable.Range(0, 10).Select(i => i.ToString())));
        var first = FashionMnist.Subset(new DeepContext(0), test, 0, 200).GetColumn<float[]>("Image");
        Assert.That(first.SelectMany(x => x).Min(), Is.EqualTo(0f));
        Assert.That(first.SelectMany(x => x).Max(), Is.EqualTo(1f));
        // The first test image of Fashion-MNIST is an ankle boot (class 9).
        Assert.That(test.GetColumn<uint>("Label")[0], Is.EqualTo(10u));
        Assert.That(test.GetColumn<uint>("Label").GroupBy(k => k).Select(g => g.Count()), Is.All.EqualTo(1000));
    }

    [Test]
    public void LoadFromIdx_BadFilesThrowTypedErrorsNamingTheFile()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mlnetdeep-idx-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var ctx = new DeepContext(0);
            string images = Path.Combine(dir, "images"), labels = Path.Combine(dir, "labels"), three = Path.Combine(dir, "three-labels"), junk = Path.Combine(dir, "junk");
            File.WriteAllBytes(images, [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 255, 128, 0, 1, 2, 3, 4]);
            File.WriteAllBytes(labels, [0, 0, 8, 1, 0, 0, 0, 2, 1, 0]);
            File.WriteAllBytes(three, [0, 0, 8, 1, 0, 0, 0, 3, 1, 0, 1]);
            File.WriteAllBytes(junk, [1, 2, 3, 4, 5]);
            var view = ctx.Data.LoadFromIdx(images, labels, "Pixels", "Class");
            Assert.That(view.GetColumn<float[]>("Pixels")[0], Is.EqualTo(new[] { 0f, 1f, 128 / 255f, 0f }));
            Assert.That(view.GetColumn<uint>("Class"), Is.EqualTo(new uint[] { 2, 1 }));
            var count = Assert.Throws<DataLoadException>(() => ctx.Data.LoadFromIdx(images, three))!;
            Assert.That(count.Path, Is.EqualTo(three));
            Assert.That(count.Message, Does.Contain("3 labels for 2 images"));
            Assert.That(Assert.Throws<DataLoadException>(() => ctx.Data.LoadFromIdx(junk, labels))!.Path, Is.EqualTo(junk));
            Assert.That(Assert.Throws<DataLoadException>(() => ctx.Data.LoadFromIdx(labels, labels))!.Message, Does.Contain("3 dimensions"));
            Assert.Throws<FileNotFoundException>(() => ctx.Data.LoadFromIdx(Path.Combine(dir, "missing"), labels));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Test]
    public void SmallCnnOnASubset_BeatsChanceByAWideMargin()
    {
        var ctx = new DeepContext(1);
        var (trainSubset, testSubset) = FashionMnist.RequireSubsets(ctx, 2000, 1000);
        var model = ctx.Vision.Trainers.ImageClassifier(new ImageClassifierOptions { Architecture = ImageArchitecture.SmallCnn, Width = 8, HiddenSize = 64, NumberOfEpochs = 2, Seed = 1 }).Fit(trainSubset);
        var metrics = ctx.Vision.Evaluate(model.Transform(testSubset));
        TestContext.Out.WriteLine($"SmallCnn, 2000 training images, 2 epochs: test accuracy {metrics.Accuracy:P1}, macro-F1 {metrics.MacroF1:F3}");
        Assert.That(metrics.Accuracy, Is.GreaterThan(0.65), "chance is 0.10");
        Assert.That(metrics.MacroF1, Is.GreaterThan(0.6));
        Assert.That(metrics.Rows, Is.EqualTo(1000));
    }
}
