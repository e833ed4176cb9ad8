using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Optim;
using NUnit.Framework;
using static MLNetDeep.Tests.Optim.OptimTestData;

namespace MLNetDeep.Tests.Optim;

public class GradClipTests
{
    private static Tensor WithGrad(params float[] grad)
    {
        var p = Tensor.Zeros(grad.Length).RequiresGrad_();
        p.Grad = Tensor.FromArray(grad, grad.Length);
        return p;
    }

    [Test]
    public void TwoNormIsTakenOverAllGradientsTogether()
    {
        var a = WithGrad(3f, 4f);
        var b = WithGrad(12f);
        double total = GradClip.ClipGradNorm([a, b], maxNorm: 6.5);
        Assert.That(total, Is.EqualTo(13.0));
        float coef = 1f / (13f + 1e-6f) * 6.5f;           // PyTorch: reciprocal(total + 1e-6) · maxNorm in float32
        Assert.That(a.Grad!.ToArray<float>(), Is.EqualTo(new[] { 3f * coef, 4f * coef }));
        Assert.That(b.Grad!.ToArray<float>(), Is.EqualTo(new[] { 12f * coef }));
        Assert.That(coef, Is.EqualTo(0.5f).Within(1e-7f));
    }

    [Test]
    public void InfinityNormIsTheLargestMagnitude()
    {
        var a = WithGrad(1f, -8f);
        var b = WithGrad(2f);
        Assert.That(GradClip.ClipGradNorm([a, b], 4, double.PositiveInfinity), Is.EqualTo(8.0));
        Assert.That(a.Grad!.ToArray<float>(), Is.EqualTo(new[] { 0.5f, -4f }).Within(1e-6f));
    }

    [Test]
    public void GradientsBelowTheLimitAreUnchanged()
    {
        var a = WithGrad(0.3f, -0.4f);
        Assert.That(GradClip.ClipGradNorm([a], 1), Is.EqualTo(0.5).Within(1e-7));
        Assert.That(a.Grad!.ToArray<float>(), Is.EqualTo(new[] { 0.3f, -0.4f }));
    }

    [Test]
    public void ParametersWithoutGradientsAreIgnored()
    {
        var none = Tensor.Zeros(2).RequiresGrad_();
        Assert.That(GradClip.ClipGradNorm([none], 1), Is.EqualTo(0.0));
        var a = WithGrad(6f, 8f);
        Assert.That(GradClip.ClipGradNorm([none, a], 100), Is.EqualTo(10.0));
        Assert.That(none.Grad, Is.Null);
    }

    // Expected values from torch.nn.utils.clip_grad_norm_ (1.13, CPU, float32), bit for bit.
    [TestCase(2.0, 6.938862323760986, new[] { -0.6859913468360901f, -0.04899938032031059f, 0.5879926085472107f, -0.19599752128124237f }, new[] { -0.2017621397972107f, 0.1729389876127243f, -0.28823164105415344f })]
    [TestCase(double.PositiveInfinity, 2.380000114440918, new[] { -1.9999992847442627f, -0.14285708963871002f, 1.714285135269165f, -0.5714283585548401f }, new[] { -0.5882350206375122f, 0.5042014718055725f, -0.8403357863426208f })]
    [TestCase(1.0, 29.160003662109375, new[] { -0.1632372885942459f, -0.011659806594252586f, 0.13991768658161163f, -0.046639226377010345f }, new[] { -0.04801096394658089f, 0.04115225747227669f, -0.06858709454536438f })]
    public void MatchesPyTorch(double normType, double expectedTotal, float[] aFirst4, float[] b)
    {
        var pa = Tensor.Zeros(21).RequiresGrad_();
        var pb = Tensor.Zeros(3).RequiresGrad_();
        pa.Grad = CTerm(21, 0).Mul(1.7);
        pb.Grad = CTerm(3, 1);
        Assert.That(GradClip.ClipGradNorm([pa, pb], 2.0, normType), Is.EqualTo(expectedTotal));
        Assert.That(pa.Grad!.ToArray<float>().Take(4), Is.EqualTo(aFirst4));
        Assert.That(pb.Grad!.ToArray<float>(), Is.EqualTo(b));
    }

    [Test]
    public void MatchesPyTorchInFloat64()
    {
        var p = Tensor.Zeros([21], DType.Float64).RequiresGrad_();
        p.Grad = CTerm(21, 0).To(DType.Float64).Mul(1.7);
        Assert.That(GradClip.ClipGradNorm([p], 2.0), Is.EqualTo(6.804248632325163));
        Assert.That(p.Grad!.ToArray<double>().Take(3), Is.EqualTo(new[] { -0.6995627991548401, -0.04996877296375871, 0.5996252904569592 }));
    }

    [Test]
    public void ClipGradValueClampsEachElement()
    {
        var a = WithGrad(-3f, 0.5f, 2f, float.NaN);
        var b = Tensor.Zeros([2], DType.Float64).RequiresGrad_();
        b.Grad = Tensor.FromArray([-0.1, 7.0], 2);
        GradClip.ClipGradValue([a, b], 1.0);
        Assert.That(a.Grad!.ToArray<float>(), Is.EqualTo(new[] { -1f, 0.5f, 1f, float.NaN }));
        Assert.That(b.Grad!.ToArray<double>(), Is.EqualTo(new[] { -0.1, 1.0 }));
    }

    [Test]
    public void RejectsBadArguments()
    {
        var a = WithGrad(1f);
        Assert.Throws<ArgumentOutOfRangeException>(() => GradClip.ClipGradNorm([a], -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => GradClip.ClipGradNorm([a], 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => GradClip.ClipGradValue([a], double.NaN));
    }
}
