using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Optim;
using NUnit.Framework;
using static MLNetDeep.Tests.Optim.OptimTestData;

namespace MLNetDeep.Tests.Optim;

public class AdamTests
{
    [Test]
    public void FirstStepMovesEachElementByLearningRateTimesSign()
    {
        // Bias correction makes m̂ = g and v̂ = g², so the step is lr·g/(|g| + eps).
        var p = Tensor.FromArray([1f, 1f, 1f, 1f], 4).RequiresGrad_();
        var opt = new Adam([p], learningRate: 0.01);
        p.Grad = Tensor.FromArray([1000f, -3f, 0.002f, 0f], 4);
        opt.Step();
        Assert.That(p.ToArray<float>(), Is.EqualTo(new[] { 0.99f, 1.01f, 0.99f, 1f }).Within(1e-7f));
        Assert.That(opt.State(0).Step, Is.EqualTo(1));
    }

    [Test]
    public void WeightDecayIsAddedToTheGradient()
    {
        // g' = 0 + 0.5·2 = 1: the first step is −lr·sign(g') even though the raw gradient is 0.
        var p = Tensor.FromArray([2.0], 1).RequiresGrad_();
        var opt = new Adam([p], learningRate: 0.1, weightDecay: 0.5);
        p.Grad = Tensor.FromArray([0.0], 1);
        opt.Step();
        Assert.That(p.ToArray<double>()[0], Is.EqualTo(1.9).Within(1e-8));
    }

    [Test]
    public void AmsGradKeepsTheLargestSecondMoment()
    {
        var p = Tensor.FromArray([0.0], 1).RequiresGrad_();
        var opt = new Adam([p], learningRate: 0.1, beta1: 0, beta2: 0.5, epsilon: 0, amsGrad: true);
        p.Grad = Tensor.FromArray([4.0], 1);
        opt.Step();                                   // v = 8, v̂max = 8
        p.Grad = Tensor.FromArray([1.0], 1);
        opt.Step();                                   // v = 4.5 < 8: denominator √8/√0.75
        Assert.That(opt.State(0).Buffer("max_exp_avg_sq")!.ToArray<double>()[0], Is.EqualTo(8.0));
        Assert.That(opt.State(0).Buffer("exp_avg_sq")!.ToArray<double>()[0], Is.EqualTo(4.5));
        double second = 0.1 * 1 / (Math.Sqrt(8) / Math.Sqrt(0.75));
        Assert.That(p.ToArray<double>()[0], Is.EqualTo(-0.1 - second).Within(1e-15));
    }

    [Test]
    public void BiasCorrectionUsesThePerParameterStep()
    {
        // b has no gradient in the first step, so its first update is a "first step" (≈ lr·sign).
        var a = Tensor.FromArray([0f], 1).RequiresGrad_();
        var b = Tensor.FromArray([0f], 1).RequiresGrad_();
        var opt = new Adam([a, b], learningRate: 0.01);
        a.Grad = Tensor.FromArray([1f], 1);
        opt.Step();
        b.Grad = Tensor.FromArray([5f], 1);
        opt.Step();
        Assert.That(b.ToArray<float>()[0], Is.EqualTo(-0.01f).Within(1e-8f));
        Assert.That(opt.State(0).Step, Is.EqualTo(2));
        Assert.That(opt.State(1).Step, Is.EqualTo(1));
        Assert.That(opt.StepCount, Is.EqualTo(2));
    }

    [Test]
    public void RejectsBetasOutsideTheUnitInterval()
    {
        var p = Tensor.Zeros(1).RequiresGrad_();
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([p], beta1: 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([p], beta2: -0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([p], epsilon: double.NaN));
    }

    [Test]
    public void MatchesPyTorchDefaults() => Assert.That(FiveSteps(ps => new Adam(ps, 0.01)), Is.EqualTo(new[]
    {
        -0.7478784322738647f, -0.20803983509540558f, 0.35680991411209106f, -0.6047009825706482f, -0.04728292301297188f,
        0.5321415662765503f, -0.490604430437088f, 0.13039977848529816f, 0.6639426946640015f, -0.2777317762374878f,
    }));

    [Test]
    public void MatchesPyTorchWeightDecayAndAmsGrad() => Assert.That(
        FiveSteps(ps => new Adam(ps, new AdamOptions { LearningRate = 0.01, Beta1 = 0.8, Beta2 = 0.99, Epsilon = 1e-6, WeightDecay = 0.1, AmsGrad = true })),
        Is.EqualTo(new[]
        {
            -0.7494860291481018f, -0.20709693431854248f, 0.3561188280582428f, -0.6019858717918396f, -0.04642973840236664f,
            0.5268630981445312f, -0.4871944487094879f, 0.12742795050144196f, 0.6631875038146973f, -0.27904295921325684f,
        }));

    [Test]
    public void MatchesPyTorchInFloat64()
    {
        var p = Init(6, DType.Float64).RequiresGrad_();
        Run(new Adam([p], 0.01), 5);
        Assert.That(p.ToArray<double>(), Is.EqualTo(new[]
        {
            -0.7478783651216914, -0.2080398252318401, 0.3568099180343187, -0.6047009494814396, -0.04728292900447206, 0.5321415102523449,
        }));
    }
}
