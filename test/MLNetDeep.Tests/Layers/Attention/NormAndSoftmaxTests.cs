using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;
using MLNetDeep.Tests.Engine;
using MLNetDeep.Tests.Oracles;
using NUnit.Framework;
using static MLNetDeep.Tests.Layers.Attention.AttentionOracle;
using P = MLNetDeep.Tests.Parity.Parity;

namespace MLNetDeep.Tests.Layers.Attention;

/// <summary>The fused LayerNorm and softmax primitives: parity with torch, float64 finite differences, bad input.</summary>
[TestFixture]
public class NormAndSoftmaxTests
{
    private TorchOracle _oracle = null!;

    [OneTimeSetUp] public void StartOracle() => _oracle = TorchOracle.Start();

    private static IEnumerable<TestCaseData> LayerNormCases()
    {
        yield return new TestCaseData(new[] { 4, 5, 8 }, new[] { 8 }, true, 1e-5).SetName("LayerNorm_LastDim");
        yield return new TestCaseData(new[] { 3, 4, 6 }, new[] { 4, 6 }, true, 1e-3).SetName("LayerNorm_TwoDims");
        yield return new TestCaseData(new[] { 7, 300 }, new[] { 300 }, true, 1e-5).SetName("LayerNorm_WideRows");
        yield return new TestCaseData(new[] { 2, 3, 5 }, new[] { 5 }, false, 1e-5).SetName("LayerNorm_NoAffine");
    }

    [TestCaseSource(nameof(LayerNormCases))]
    public void LayerNormMatchesTorch(int[] shape, int[] normalized, bool affine, double eps)
    {
        var ln = new LayerNorm(normalized, eps, affine);
        if (affine)
        {
            ln.Weight!.CopyFrom(R(5, normalized).Mul(0.5).Add(1)); // non-trivial scale and shift
            ln.Bias!.CopyFrom(R(6, normalized));
        }
        var x = R(7, shape).Mul(3).Add(2).RequiresGrad_();
        var y = ln.Forward(x);
        var up = P.UpstreamGradient(y, 8)!;
        var state = ln.StateDict().ToDictionary(kv => kv.Key, kv => P.ToOracle(kv.Value, false));
        var kwargs = new Dictionary<string, object?> { ["eps"] = eps, ["elementwise_affine"] = affine };
        var expected = _oracle.Module("torch.nn.LayerNorm", [P.ToOracle(x)], [normalized], kwargs, state, gradOutputs: [P.ToOracle(up, false)]);
        Assert.That(expected.MissingKeys, Is.Empty);
        Assert.That(expected.UnexpectedKeys, Is.Empty);
        P.AssertClose("output", expected.Output(0), y);
        y.Mul(up).Sum().Backward();
        P.AssertClose("input gradient", expected.Grad(0), x.Grad);
        foreach (var (name, p) in ln.NamedParameters()) P.AssertClose($"gradient of {name}", expected.ParamGrad(name), p.Grad);
    }

    [Test]
    public void LayerNormGradCheckFloat64()
    {
        var r = GradCheck.Run(t => F.LayerNorm(t[0], [6], t[1], t[2], 1e-5),
            [R(1, 3, 6).To(DType.Float64), R(2, 6).To(DType.Float64), R(3, 6).To(DType.Float64)]);
        Assert.That(r.Ok, Is.True, r.Message);
    }

    [Test]
    public void LayerNormRejectsMismatchedShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => F.LayerNorm(R(1, 2, 5), [4]));
        Assert.That(ex!.ParamName, Is.EqualTo("x"));
        ex = Assert.Throws<ArgumentException>(() => F.LayerNorm(R(1, 2, 5), [5], weight: R(2, 4)));
        Assert.That(ex!.ParamName, Is.EqualTo("weight"));
        Assert.Throws<ArgumentException>(() => new LayerNorm([]));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void FusedSoftmaxMatchesTorch(bool log)
    {
        var x = R(11, 4, 3, 37).Mul(20).RequiresGrad_(); // large logits: the shift must keep it finite
        var y = log ? F.LogSoftmax(x, -1) : F.Softmax(x, 2);
        Assert.That(y.GradFnName, Is.EqualTo(log ? "LogSoftmax" : "Softmax"), "the last-dim path is the fused primitive");
        var up = P.UpstreamGradient(y, 12)!;
        var expected = _oracle.Call(log ? "torch.log_softmax" : "torch.softmax", [P.ToOracle(x)], kwargs: new Dictionary<string, object?> { ["dim"] = -1 },
            gradOutputs: [P.ToOracle(up, false)]);
        P.AssertClose("output", expected.Output(0), y);
        y.Mul(up).Sum().Backward();
        P.AssertClose("input gradient", expected.Grad(0), x.Grad);
    }

    [TestCase(false)]
    [TestCase(true)]
    public void FusedSoftmaxGradCheckFloat64(bool log)
    {
        var r = GradCheck.Run(t => log ? F.LogSoftmax(t[0], -1) : F.Softmax(t[0], -1), [R(3, 3, 7).To(DType.Float64)]);
        Assert.That(r.Ok, Is.True, r.Message);
    }

    [Test]
    public void SoftmaxOfMinusInfinityIsExactlyZero()
    {
        var x = Tensor.FromArray([1f, float.NegativeInfinity, 2f, float.NegativeInfinity], 1, 4).RequiresGrad_();
        var y = F.Softmax(x, -1);
        Assert.That(y.ToArray<float>()[1], Is.EqualTo(0f));
        Assert.That(y.ToArray<float>()[3], Is.EqualTo(0f));
        y.Mul(Tensor.FromArray([1f, 2f, 3f, 4f], 1, 4)).Sum().Backward();
        Assert.That(x.Grad!.ToArray<float>()[1], Is.EqualTo(0f));
        Assert.That(x.Grad!.ToArray<float>()[3], Is.EqualTo(0f));
    }
}
