using Google.Protobuf;
using MLNetDeep.Cli.Verbs;
using MLNetDeep.Onnx;
using MLNetDeep.Tensors;
using NUnit.Framework;

namespace MLNetDeep.Tests.Onnx.Runtime;

/// <summary>`mlnetdeep onnx info` and `mlnetdeep onnx run` through Program.Main, with .npy in and out.</summary>
[TestFixture]
public sealed class OnnxCliTests
{
    [Test]
    public void InfoAndRun()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mlnetdeep-onnx-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string model = Path.Combine(dir, "mlp.onnx");
            File.WriteAllBytes(model, OnnxFuzzTests.BaseModels()[0].ToByteArray());
            var x = Tensor.FromArray([1f, 2f, -1f, 0.5f, 0f, 0f, 0f, 3f], 2, 4);
            string input = Path.Combine(dir, "x.npy");
            Npy.Write(input, OnnxValue.From(x));
            var saved = Console.Out;
            var captured = new StringWriter();
            Console.SetOut(captured);
            try
            {
                Assert.That(MLNetDeep.Cli.Program.Main(["onnx", "info", model]), Is.EqualTo(0));
            }
            finally
            {
                Console.SetOut(saved);
            }
            Assert.That(captured.ToString(), Does.Contain("opset 13").And.Contain("input  x: Float [?, 4]").And.Contain("MatMul: 1"));
            Assert.That(MLNetDeep.Cli.Program.Main(["onnx", "run", model, "--input", $"x={input}", "--output-dir", Path.Combine(dir, "out")]), Is.EqualTo(0));
            var y = Npy.Read(Path.Combine(dir, "out", "y.npy"));
            var expected = new OnnxSession(model).Run(new Dictionary<string, Tensor> { ["x"] = x })["y"];
            Assert.That(y.Shape.ToArray(), Is.EqualTo(new[] { 2, 3 }));
            Assert.That(y.Tensor.ToFloatArray(), Is.EqualTo(expected.ToFloatArray()));
            // Errors are reported, not thrown: unknown input name, missing file.
            Assert.That(MLNetDeep.Cli.Program.Main(["onnx", "run", model, "--input", $"nope={input}", "--output-dir", dir]), Is.EqualTo(1));
            Assert.That(MLNetDeep.Cli.Program.Main(["onnx", "info", Path.Combine(dir, "missing.onnx")]), Is.EqualTo(1));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Test]
    public void NpyRoundTripsAndRejectsGarbage()
    {
        string path = Path.GetTempFileName();
        try
        {
            var v = new OnnxValue(Tensor.FromArray(new long[] { 1, -2, 3 }, 3), OnnxElementType.Int64);
            Npy.Write(path, v);
            var back = Npy.Read(path);
            Assert.That(back.ElementType, Is.EqualTo(OnnxElementType.Int64));
            Assert.That(back.Tensor.ToArray<long>(), Is.EqualTo(new long[] { 1, -2, 3 }));
            File.WriteAllBytes(path, [1, 2, 3]);
            Assert.Throws<FormatException>(() => Npy.Read(path));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
