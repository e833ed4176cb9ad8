using MLNetDeep.OnnxExport;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;
using NUnit.Framework;

namespace MLNetDeep.Tests.Onnx.Export;

[TestFixture]
public sealed class ActivationExportTests : OnnxExportTestBase
{
    private static IEnumerable<TestCaseData> Activations()
    {
        yield return new TestCaseData(new ReLU(), "Relu").SetName("ReLU");
        yield return new TestCaseData(new Sigmoid(), "Sigmoid").SetName("Sigmoid");
        yield return new TestCaseData(new Tanh(), "Tanh").SetName("Tanh");
        yield return new TestCaseData(new LeakyReLU(0.2), "LeakyRelu").SetName("LeakyReLU");
        yield return new TestCaseData(new GELU(), "Erf").SetName("GELU_Erf");
        yield return new TestCaseData(new GELU(tanhApproximation: true), "Tanh").SetName("GELU_Tanh");
        yield return new TestCaseData(new Softmax(-1), "Softmax").SetName("Softmax_Last");
        yield return new TestCaseData(new Softmax(1), "Softmax").SetName("Softmax_Middle");
        yield return new TestCaseData(new LogSoftmax(-1), "LogSoftmax").SetName("LogSoftmax_Last");
        yield return new TestCaseData(new LogSoftmax(0), "LogSoftmax").SetName("LogSoftmax_First");
    }

    [TestCaseSource(nameof(Activations))]
    public void Activation_MatchesRuntime(Module<Tensor, Tensor> activation, string op)
    {
        var x1 = Input(1, 2, 3, 5).Mul(3);
        var x2 = Input(2, 4, 3, 5).Mul(3);
        string path = AssertExportMatches(activation, OnnxTensorSpec.Float("x", "batch", 3, 5), [x1, x2]);
        Assert.That(CoreExportTests.Load(path).Graph.Node.Select(n => n.OpType), Does.Contain(op));
    }
}
