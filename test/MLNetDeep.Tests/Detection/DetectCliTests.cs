using MLNetDeep.Data;
using NUnit.Framework;

namespace MLNetDeep.Tests.Detection;

/// <summary><c>mlnetdeep detect train|evaluate|predict</c> in-process on a few generated Fashion-MNIST scenes (one tiny epoch).</summary>
[TestFixture]
public sealed class DetectCliTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "mlnd-detect-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Cli(params string[] args) => OnnxIntegration.OnnxCliTests.Cli(args);

    [Test]
    public void TrainEvaluatePredict_WriteAModelMetricsAndPictures()
    {
        string fashion = SceneTestData.FashionMnistDirectory();
        string model = Path.Combine(_dir, "detector.zip"), onnx = Path.Combine(_dir, "detector.onnx");
        var (code, trainOutput, error) = Cli("detect", "train", "--scenes", "8", "--input-size", "64", "--width", "4", "--epochs", "1", "--batch-size", "4", "-o", model, "--onnx", onnx);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(File.Exists(model) && File.Exists(onnx), Is.True);
        Assert.That(trainOutput, Does.Contain("epoch 1/1: loss").And.Contain("saved " + model));

        (code, var output, error) = Cli("detect", "evaluate", model, "--scenes", "4", "--test-items");
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(output, Does.Contain("mAP@0.5 (VOC)").And.Contain("over 4 images"));

        string pictures = Path.Combine(_dir, "pictures");
        (code, output, error) = Cli("detect", "predict", model, "-o", pictures, "--scenes", "5", "--scene-seed", "3", "--limit", "2");
        Assert.That(code, Is.EqualTo(0), error);
        var files = Directory.GetFiles(pictures, "*.png").OrderBy(f => f, StringComparer.Ordinal).ToArray();
        Assert.That(files, Has.Length.EqualTo(2));
        string html = File.ReadAllText(Path.Combine(pictures, "index.html"));
        Assert.That(html, Does.Contain("<img src=\"detection_0000.png\">").And.Contain("detection_0001.png"));
        var scene = new DeepContext(1).Data.GenerateDetectionScenes(new DetectionSceneOptions { NumberOfImages = 1, Seed = 3, FashionMnistDirectory = fashion });
        using var cursor = scene.GetRowCursor(null);
        cursor.MoveNext();
        var first = cursor.GetValue<MLNetDeep.Tensors.Tensor>(scene.Schema["Image"]);
        Assert.That(ImageCodec.Load(files[0]).Shape.ToArray(), Is.EqualTo(first.Shape.ToArray()));
    }
}
