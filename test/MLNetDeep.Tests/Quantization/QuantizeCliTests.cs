using MLNetDeep.Estimators.Compression;
using MLNetDeep.Tests.Vision;
using NUnit.Framework;

namespace MLNetDeep.Tests.Quantization;

/// <summary><c>mlnetdeep vision quantize</c> end to end on a tiny Fashion-MNIST classifier: zip and QDQ ONNX written, the zip loads as a quantized classifier; bad input exits 1.</summary>
public class QuantizeCliTests
{
    [Test]
    public void QuantizeWritesModelAndOnnx()
    {
        var (_, test) = FashionMnist.Require();
        string dir = Path.Combine(Path.GetTempPath(), "mlnd-quant-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var stdout = Console.Out;
        try
        {
            var ctx = new DeepContext(1);
            var subset = FashionMnist.Subset(ctx, test, 0, 128);
            var model = ctx.Vision.Trainers.ImageClassifier(ImageClassifierTests.Tiny(Estimators.Vision.ImageArchitecture.SmallCnn)).Fit(subset);
            string zip = Path.Combine(dir, "fp32.zip"), q = Path.Combine(dir, "int8.zip"), onnx = Path.Combine(dir, "int8.onnx");
            ctx.Model.Save(model, subset.Schema, zip);
            string images = FashionMnist.Path(FashionMnist.Directory()!, "t10k", "images-idx3"), labels = FashionMnist.Path(FashionMnist.Directory()!, "t10k", "labels-idx1");
            var output = new StringWriter();
            Console.SetOut(output);
            Assert.That(MLNetDeep.Cli.Program.Main(["vision", "quantize", zip, "--calibration-images", images, "--calibration-labels", labels,
                "--output", q, "--onnx", onnx, "--calibration-examples", "64"]), Is.EqualTo(0), output.ToString());
            Assert.That(output.ToString(), Does.Contain("int8 layers"));
            Assert.That(File.Exists(onnx), Is.True);
            Assert.That(ctx.Model.Load(q, out _), Is.TypeOf<QuantizedClassifierTransformer>());
            Assert.That(MLNetDeep.Cli.Program.Main(["vision", "quantize", Path.Combine(dir, "missing.zip"), "--calibration-images", images,
                "--calibration-labels", labels, "--output", q]), Is.EqualTo(1), "a missing model exits 1");
        }
        finally
        {
            Console.SetOut(stdout);
            Directory.Delete(dir, recursive: true);
        }
    }
}
