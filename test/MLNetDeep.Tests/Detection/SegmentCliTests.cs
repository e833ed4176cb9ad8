using MLNetDeep.Data;
using NUnit.Framework;

namespace MLNetDeep.Tests.Detection;

/// <summary><c>mlnetdeep segment train|evaluate|predict</c> in-process on a few generated Fashion-MNIST scenes (one tiny epoch).</summary>
[TestFixture]
public sealed class SegmentCliTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "mlnd-segment-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Cli(params string[] args) => OnnxIntegration.OnnxCliTests.Cli(args);

    [Test]
    public void TrainEvaluatePredict_WriteAModelMetricsAndPictures()
    {
        string fashion = SceneTestData.FashionMnistDirectory();
        string model = Path.Combine(_dir, "segmenter.zip"), onnx = Path.Combine(_dir, "segmenter.onnx");
        var (code, trainOutput, error) = Cli("segment", "train", "--scenes", "8", "--input-size", "64", "--width", "4", "--epochs", "1", "--batch-size", "4", "--schedule", "Cosine", "-o", model, "--onnx", onnx);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(File.Exists(model) && File.Exists(onnx), Is.True);
        Assert.That(trainOutput, Does.Contain("epoch 1/1: loss").And.Contain("saved " + model));

        (code, var output, error) = Cli("segment", "evaluate", model, "--scenes", "4", "--test-items");
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(output, Does.Contain("mIoU =").And.Contain("background").And.Contain("Trouser"));

        string pictures = Path.Combine(_dir, "pictures");
        (code, output, error) = Cli("segment", "predict", model, "-o", pictures, "--scenes", "5", "--scene-seed", "3", "--limit", "2");
        Assert.That(code, Is.EqualTo(0), error);
        var files = Directory.GetFiles(pictures, "*.png").OrderBy(f => f, StringComparer.Ordinal).ToArray();
        Assert.That(files, Has.Length.EqualTo(2));
        Assert.That(File.ReadAllText(Path.Combine(pictures, "index.html")), Does.Contain("<img src=\"segmentation_0000.png\">").And.Contain("true mask"));
        var scene = new DeepContext(1).Data.GenerateDetectionScenes(new DetectionSceneOptions { NumberOfImages = 1, Seed = 3, FashionMnistDirectory = fashion });
        using var cursor = scene.GetRowCursor(null);
        cursor.MoveNext();
        var first = cursor.GetValue<MLNetDeep.Tensors.Tensor>(scene.Schema["Image"]);
        var picture = ImageCodec.Load(files[0]);
        // image | true mask | predicted mask, 4 white columns between panels.
        Assert.That(picture.Shape.ToArray(), Is.EqualTo(new[] { 3, first.Size(1), 3 * first.Size(2) + 8 }));
    }

    [Test]
    public void Evaluate_ModelWithoutASegmenter_FailsNamingTheFile()
    {
        string model = Path.Combine(_dir, "detector.zip");
        var (code, _, error) = Cli("detect", "train", "--scenes", "4", "--input-size", "32", "--width", "4", "--epochs", "1", "--batch-size", "4", "-o", model);
        Assert.That(code, Is.EqualTo(0), error);
        (code, _, error) = Cli("segment", "evaluate", model, "--scenes", "2");
        Assert.That(code, Is.Not.EqualTo(0));
        Assert.That(error, Does.Contain(model).And.Contain("no semantic segmenter").And.Contain("ObjectDetectionTransformer"));
    }
}
