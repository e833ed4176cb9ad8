using MLNetDeep.Onnx;
using MLNetDeep.Tensors;
using MLNetDeep.Tests.Onnx.Runtime;
using NUnit.Framework;

namespace MLNetDeep.Tests.Onnx.Perf;

/// <summary>
/// A session recycles the storage of intermediate values between runs: repeated runs (same and other
/// batch sizes) give identical outputs, and outputs handed out earlier are never overwritten.
/// </summary>
[TestFixture]
public sealed class OnnxSessionReuseTests
{
    [Test]
    public void RepeatedRunsAreIdenticalAndKeepEarlierOutputs()
    {
        var (_, models) = TorchvisionExport.Get("resnet18,mobilenet_v2,densenet121", 64, "2,3");
        var model = models["mobilenet_v2"];
        var session = new OnnxSession(model.File);
        var firsts = new List<(Tensor Output, float[] Copy)>();
        for (int round = 0; round < 2; round++)
            foreach (var c in model.Cases)
            {
                var x = Tensor.FromArray(TorchvisionExport.ReadF32(c.Input), c.InputShape);
                var y = session.Run(new Dictionary<string, Tensor> { ["input"] = x })["output"];
                var values = y.Contiguous().ToFloatArray();
                if (round == 0) firsts.Add((y, values));
                else Assert.That(values, Is.EqualTo(firsts[Array.IndexOf(model.Cases, c)].Copy), $"batch {c.Batch}: second run differs");
            }
        foreach (var (output, copy) in firsts)
            Assert.That(output.Contiguous().ToFloatArray(), Is.EqualTo(copy), "an output of an earlier run was overwritten");
    }
}
