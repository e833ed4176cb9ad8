using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Optim;
using NUnit.Framework;
using static MLNetDeep.Tests.Optim.OptimTestData;

namespace MLNetDeep.Tests.Optim;

public class AdamWTests
{
    [Test]
    public void DecayIsAppliedToTheParameterNotTheGradient()
    {
        // p = 2·(1 − 0.1·0.5) = 1.9, then the Adam step with the raw gradient moves it by −lr·sign(g).
        var p = Tensor.FromArray([2.0, 2.0], 2).RequiresGrad_();
        var opt = new AdamW([p], learningRate: 0.1, weightDecay: 0.5);
        p.Grad = Tensor.FromArray([0.0, 3.0], 2);
        opt.Step();
        Assert.That(p.ToArray<double>(), Is.EqualTo(new[] { 1.9, 1.8 }).Within(1e-8));
    }

    [Test]
    public void DefaultWeightDecayIsOneHundredth()
    {
        Assert.That(new AdamWOptions().WeightDecay, Is.EqualTo(0.01));
        Assert.That(new AdamW([Tensor.Zeros(1).RequiresGrad_()]).WeightDecay, Is.EqualTo(0.01));
    }

    [Test]
    public void MatchesPyTorchDefaults() => Assert.That(FiveSteps(ps => new AdamW(ps, 0.01)), Is.EqualTo(new[]
    {
        -0.7474977970123291f, -0.20793937146663666f, 0.3566277325153351f, -0.6043949723243713f, -0.04725741967558861f,
        0.5318728685379028f, -0.490363746881485f, 0.13033835589885712f, 0.6636074185371399f, -0.277584433555603f,
    }));

    [Test]
    public void MatchesPyTorchAmsGrad() => Assert.That(
        FiveSteps(ps => new AdamW(ps, new AdamWOptions { LearningRate = 0.01, WeightDecay = 0.1, AmsGrad = true })), Is.EqualTo(new[]
    {
        -0.7440804243087769f, -0.20703713595867157f, 0.3549913167953491f, -0.6016470193862915f, -0.04702839255332947f,
        0.5294599533081055f, -0.4882030487060547f, 0.12978659570217133f, 0.6605967879295349f, -0.2762652635574341f,
    }));
}
