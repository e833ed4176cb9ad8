using MLNetDeep.Onnx;
using MLNetDeep.Tensors;
using NUnit.Framework;

namespace MLNetDeep.Tests.Onnx.Runtime;

/// <summary>
/// torchvision models exported by PyTorch 1.13 (random seeded weights, eval mode, opset 13, dynamic
/// batch) give the same outputs in our runtime as in PyTorch, at two batch sizes through one session.
/// Tolerance rtol 1e-3 / atol 1e-4: the logits are sums over 50-120 layers of float32 products whose
/// summation order differs (our GEMM blocking vs MKL-DNN); measured differences are ~1e-5 relative.
/// </summary>
[TestFixture]
public sealed class OnnxTorchvisionTests
{
    private const int ImageSize = 64;

    [TestCase("resnet18")]
    [TestCase("mobilenet_v2")]
    [TestCase("densenet121")]
    public void MatchesPyTorch(string name) => Check(name, TorchvisionExport.Get("resnet18,mobilenet_v2,densenet121", ImageSize, "2,3").Models[name]);

    /// <summary>
    /// At 224×224 mobilenet_v2's stem and first three inverted-residual blocks have expanded maps above the
    /// fusion threshold, so this runs the fused band kernels (stem/expansion → depthwise → projection).
    /// </summary>
    [Test]
    public void MobileNetV2AtFullSizeMatchesPyTorch() => Check("mobilenet_v2", TorchvisionExport.Get("mobilenet_v2", 224, "1,2").Models["mobilenet_v2"]);

    private static void Check(string name, TorchvisionExport.Model model)
    {
        var session = new OnnxSession(model.File);
        Assert.That(model.Cases.Select(c => c.Batch).Distinct().Count(), Is.GreaterThan(1), "needs two batch sizes");
        foreach (var c in model.Cases)
        {
            var x = Tensor.FromArray(TorchvisionExport.ReadF32(c.Input), c.InputShape);
            var y = session.Run(new Dictionary<string, Tensor> { ["input"] = x })["output"];
            Assert.That(y.Shape.ToArray(), Is.EqualTo(c.OutputShape), $"{name} batch {c.Batch} shape");
            var expected = TorchvisionExport.ReadF32(c.Output);
            var actual = y.Contiguous().ToFloatArray();
            double worst = 0;
            for (int i = 0; i < expected.Length; i++)
            {
                double err = Math.Abs(actual[i] - expected[i]), tol = 1e-4 + 1e-3 * Math.Abs(expected[i]);
                worst = Math.Max(worst, err / tol);
                Assert.That(err, Is.LessThanOrEqualTo(tol), $"{name} batch {c.Batch} element {i}: {actual[i]} vs {expected[i]}");
            }
            TestContext.Out.WriteLine($"{name} batch {c.Batch}: worst error {worst:F3} of tolerance");
        }
    }
}
