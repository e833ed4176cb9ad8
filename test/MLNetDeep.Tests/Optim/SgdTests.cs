using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Optim;
using NUnit.Framework;
using static MLNetDeep.Tests.Optim.OptimTestData;

namespace MLNetDeep.Tests.Optim;

public class SgdTests
{
    [Test]
    public void PlainStepIsMinusLearningRateTimesGradient()
    {
        var p = Tensor.FromArray([1f, -2f, 0.5f], 3).RequiresGrad_();
        var opt = new Sgd([p], learningRate: 0.5);
        p.Grad = Tensor.FromArray([0.25f, 1f, -2f], 3);
        opt.Step();
        Assert.That(p.ToArray<float>(), Is.EqualTo(new[] { 0.875f, -2.5f, 1.5f }));
        Assert.That(opt.StepCount, Is.EqualTo(1));
    }

    [Test]
    public void FirstMomentumBufferIsTheGradientThenDampened()
    {
        var p = Tensor.FromArray([0f], 1).RequiresGrad_();
        var opt = new Sgd([p], learningRate: 1, momentum: 0.5, dampening: 0.5);
        p.Grad = Tensor.FromArray([2f], 1);
        opt.Step();                                   // b = 2 (no dampening on the first step)
        Assert.That(p.ToArray<float>()[0], Is.EqualTo(-2f));
        p.Grad = Tensor.FromArray([4f], 1);
        opt.Step();                                   // b = 0.5·2 + 0.5·4 = 3
        Assert.That(p.ToArray<float>()[0], Is.EqualTo(-5f));
        Assert.That(opt.State(0).Buffer("momentum_buffer")!.ToArray<float>()[0], Is.EqualTo(3f));
    }

    [Test]
    public void NesterovAddsMomentumTimesBufferToTheGradient()
    {
        var p = Tensor.FromArray([0f], 1).RequiresGrad_();
        var opt = new Sgd([p], learningRate: 1, momentum: 0.5, nesterov: true);
        p.Grad = Tensor.FromArray([2f], 1);
        opt.Step();                                   // b = 2, d = 2 + 0.5·2 = 3
        Assert.That(p.ToArray<float>()[0], Is.EqualTo(-3f));
        p.Grad = Tensor.FromArray([4f], 1);
        opt.Step();                                   // b = 1 + 4 = 5, d = 4 + 2.5 = 6.5
        Assert.That(p.ToArray<float>()[0], Is.EqualTo(-9.5f));
    }

    [Test]
    public void WeightDecayAddsDecayTimesParameterToTheGradient()
    {
        var p = Tensor.FromArray([2f], 1).RequiresGrad_();
        var opt = new Sgd([p], learningRate: 0.5, weightDecay: 0.25);
        p.Grad = Tensor.FromArray([1f], 1);
        opt.Step();                                   // d = 1 + 0.25·2 = 1.5
        Assert.That(p.ToArray<float>()[0], Is.EqualTo(1.25f));
    }

    [Test]
    public void NesterovNeedsMomentumAndNoDampening()
    {
        var p = Tensor.Zeros(2).RequiresGrad_();
        Assert.Throws<ArgumentException>(() => new Sgd([p], 0.1, nesterov: true));
        Assert.Throws<ArgumentException>(() => new Sgd([p], 0.1, momentum: 0.9, dampening: 0.1, nesterov: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([p], 0.1, momentum: -1));
    }

    [Test]
    public void OptionsConstructorMatchesSimpleConstructor()
    {
        var a = FiveSteps(ps => new Sgd(ps, new SgdOptions { LearningRate = 0.1, Momentum = 0.9, Dampening = 0.1, WeightDecay = 0.01 }));
        var b = FiveSteps(ps => new Sgd(ps, 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.01));
        Assert.That(a, Is.EqualTo(b));
    }

    // Five steps of the OptimTestData problem; expected values from torch.optim.SGD (1.13, CPU), bit for bit.
    [Test]
    public void MatchesPyTorchPlain() => Assert.That(FiveSteps(ps => new Sgd(ps, 0.1)), Is.EqualTo(new[]
    {
        -0.6909579634666443f, -0.23535481095314026f, 0.1864844113588333f, -0.4563673138618469f, -0.03452802821993828f,
        0.39650994539260864f, -0.5202155709266663f, 0.17549750208854675f, 0.6139615178108215f, -0.04551493749022484f,
    }));

    [Test]
    public void MatchesPyTorchMomentumDampeningWeightDecay() => Assert.That(
        FiveSteps(ps => new Sgd(ps, 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.01)), Is.EqualTo(new[]
    {
        -0.03899304196238518f, -0.40229079127311707f, -0.0023889653384685516f, -0.3316972553730011f, 0.06820455938577652f,
        0.2691289484500885f, -0.6941776871681213f, 0.33972248435020447f, 0.39526665210723877f, 0.41031602025032043f,
    }));

    [Test]
    public void MatchesPyTorchNesterov() => Assert.That(
        FiveSteps(ps => new Sgd(ps, 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.05)), Is.EqualTo(new[]
    {
        -0.0890854150056839f, -0.3994670510292053f, -0.1242266520857811f, -0.16915151476860046f, 0.10608880966901779f,
        0.08532076328992844f, -0.6542540192604065f, 0.3156362473964691f, 0.34947669506073f, 0.545951783657074f,
    }));
}
