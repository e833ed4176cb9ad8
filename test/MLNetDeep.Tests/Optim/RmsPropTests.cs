using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Optim;
using NUnit.Framework;
using static MLNetDeep.Tests.Optim.OptimTestData;

namespace MLNetDeep.Tests.Optim;

public class RmsPropTests
{
    [Test]
    public void FirstStepDividesByRootOfOneMinusAlphaTimesSquare()
    {
        // v = (1 − α)·g² = 0.25·g², so the step is lr·g/(0.5·|g|) = 2·lr·sign(g).
        var p = Tensor.FromArray([0.0, 0.0], 2).RequiresGrad_();
        var opt = new RmsProp([p], learningRate: 0.1, alpha: 0.75, epsilon: 0);
        p.Grad = Tensor.FromArray([3.0, -0.5], 2);
        opt.Step();
        Assert.That(p.ToArray<double>(), Is.EqualTo(new[] { -0.2, 0.2 }).Within(1e-15));
    }

    [Test]
    public void CenteredSubtractsSquaredMeanGradient()
    {
        // v = 0.5·g², m = 0.5·g: v − m² = 0.25·g², so the step is lr·g/(0.5·|g|).
        var p = Tensor.FromArray([0.0], 1).RequiresGrad_();
        var opt = new RmsProp([p], learningRate: 0.1, alpha: 0.5, epsilon: 0, centered: true);
        p.Grad = Tensor.FromArray([4.0], 1);
        opt.Step();
        Assert.That(p.ToArray<double>()[0], Is.EqualTo(-0.2).Within(1e-15));
        Assert.That(opt.State(0).Buffer("grad_avg")!.ToArray<double>()[0], Is.EqualTo(2.0));
    }

    [Test]
    public void MomentumAccumulatesNormalizedSteps()
    {
        var p = Tensor.FromArray([0.0], 1).RequiresGrad_();
        var opt = new RmsProp([p], learningRate: 1, alpha: 0, epsilon: 0, momentum: 0.5);
        p.Grad = Tensor.FromArray([2.0], 1);
        opt.Step();                                   // v = 4, b = 2/2 = 1
        p.Grad = Tensor.FromArray([-3.0], 1);
        opt.Step();                                   // v = 9, b = 0.5 − 1 = −0.5
        Assert.That(p.ToArray<double>()[0], Is.EqualTo(-0.5));
    }

    [Test]
    public void MatchesPyTorchDefaults() => Assert.That(FiveSteps(ps => new RmsProp(ps, 0.01)), Is.EqualTo(new[]
    {
        -0.7024856805801392f, -0.21530577540397644f, 0.25649067759513855f, -0.5133147835731506f, -0.07468469440937042f,
        0.46483755111694336f, -0.5910449028015137f, 0.17329396307468414f, 0.5572022199630737f, -0.1511000543832779f,
    }));

    [Test]
    public void MatchesPyTorchCentered() => Assert.That(FiveSteps(ps => new RmsProp(ps, 0.01, centered: true)), Is.EqualTo(new[]
    {
        -0.7016797065734863f, -0.21563829481601715f, 0.2557649612426758f, -0.5126956701278687f, -0.07506874203681946f,
        0.464709609746933f, -0.5922582149505615f, 0.1738380640745163f, 0.5559914112091064f, -0.14992587268352509f,
    }));

    [Test]
    public void MatchesPyTorchCenteredMomentumWeightDecay() => Assert.That(
        FiveSteps(ps => new RmsProp(ps, new RmsPropOptions { LearningRate = 0.01, Alpha = 0.9, Epsilon = 1e-6, WeightDecay = 0.1, Momentum = 0.9, Centered = true })),
        Is.EqualTo(new[]
        {
            -0.6007589101791382f, -0.2144838273525238f, 0.2660941183567047f, -0.5034075379371643f, -0.07402458786964417f,
            0.496504545211792f, -0.644175112247467f, 0.20660635828971863f, 0.4950637221336365f, -0.12548895180225372f,
        }));
}
