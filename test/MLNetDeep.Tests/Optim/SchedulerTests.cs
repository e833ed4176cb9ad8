using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Optim;
using NUnit.Framework;

namespace MLNetDeep.Tests.Optim;

public class SchedulerTests
{
    private static Sgd Optimizer(double lr = 0.1) => new([Tensor.Zeros(1).RequiresGrad_()], lr);

    /// <summary>The learning rate after construction and after each of <paramref name="steps"/> scheduler steps.</summary>
    private static double[] Sequence(Func<Optimizer, LearningRateScheduler> make, int steps, double lr = 0.1)
    {
        var opt = Optimizer(lr);
        var s = make(opt);
        var lrs = new List<double> { opt.LearningRate };
        for (int i = 0; i < steps; i++)
        {
            opt.Step();
            s.Step();
            lrs.Add(opt.LearningRate);
            Assert.That(s.LastLearningRate, Is.EqualTo(opt.LearningRate));
            Assert.That(s.LastEpoch, Is.EqualTo(i + 1));
        }
        return lrs.ToArray();
    }

    // Sequences below are torch.optim.lr_scheduler's (1.13), printed with repr: StepLR and LinearLR match bit for bit.
    [Test]
    public void StepLRDecaysEveryStepSizeEpochs()
    {
        Assert.That(Sequence(o => new StepLR(o, 3, 0.5), 12), Is.EqualTo(new[]
            { 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125, 0.0125, 0.0125, 0.00625 }));
        Assert.That(Sequence(o => new StepLR(o, 2), 6), Is.EqualTo(new[]
            { 0.1, 0.1, 0.010000000000000002, 0.010000000000000002, 0.0010000000000000002, 0.0010000000000000002, 0.00010000000000000003 }));
    }

    [Test]
    public void LinearLRRampsFromStartToEndFactor()
    {
        Assert.That(Sequence(o => new LinearLR(o), 8), Is.EqualTo(new[]
            { 0.03333333333333333, 0.04666666666666667, 0.060000000000000005, 0.07333333333333335, 0.08666666666666668, 0.1, 0.1, 0.1, 0.1 }));
        var custom = Sequence(o => new LinearLR(o, 0.1, 0.5, 4), 8);
        Assert.That(custom, Is.EqualTo(new[]
            { 0.010000000000000002, 0.020000000000000004, 0.030000000000000006, 0.04000000000000001, 0.05000000000000001,
              0.05000000000000001, 0.05000000000000001, 0.05000000000000001, 0.05000000000000001 }));
        for (int t = 0; t < custom.Length; t++)
            Assert.That(custom[t], Is.EqualTo(0.1 * (0.1 + 0.4 * Math.Min(t, 4) / 4)).Within(1e-15), $"epoch {t}");
    }

    [Test]
    public void CosineAnnealingFollowsTheClosedForm()
    {
        var lrs = Sequence(o => new CosineAnnealingLR(o, 10, 0.001), 25);
        for (int t = 0; t < lrs.Length; t++)
            Assert.That(lrs[t], Is.EqualTo(0.001 + (0.1 - 0.001) * (1 + Math.Cos(Math.PI * t / 10)) / 2), $"epoch {t}");
        Assert.That(lrs[10], Is.EqualTo(0.001));
        Assert.That(lrs[20], Is.EqualTo(0.1).Within(1e-17));
        // PyTorch's recursive form (torch 1.13 values) agrees to rounding.
        double[] torch = [0.1, 0.09757729755661011, 0.0905463412215599, 0.07959536998847742, 0.0657963412215599, 0.0505,
            0.03520365877844011, 0.02140463001152259, 0.010453658778440109, 0.0034227024433899004, 0.001, 0.0034227024433899004,
            0.01045365877844014, 0.02140463001152267, 0.035203658778440255, 0.05050000000000022];
        for (int t = 0; t < torch.Length; t++) Assert.That(lrs[t], Is.EqualTo(torch[t]).Within(1e-15), $"epoch {t}");
    }

    [Test]
    public void LambdaLRMultipliesTheBaseRate()
    {
        var lrs = Sequence(o => new LambdaLR(o, e => Math.Pow(0.9, e)), 5);
        Assert.That(lrs, Is.EqualTo(new[] { 0.1, 0.09000000000000001, 0.08100000000000002, 0.0729, 0.06561, 0.05904900000000001 }));
    }

    [Test]
    public void WarmupCosineRisesLinearlyThenDecays()
    {
        const double b = 0.1, etaMin = 0.01;
        var lrs = Sequence(o => new WarmupCosine(o, warmupSteps: 4, totalSteps: 12, etaMin: etaMin), 15);
        for (int t = 0; t < lrs.Length; t++)
        {
            double expected = t < 4 ? b * t / 4
                : t <= 12 ? etaMin + (b - etaMin) * (1 + Math.Cos(Math.PI * (t - 4) / 8)) / 2
                : etaMin;
            Assert.That(lrs[t], Is.EqualTo(expected).Within(1e-17), $"step {t}");
        }
        Assert.That(lrs[0], Is.EqualTo(0.0));
        Assert.That(lrs[2], Is.EqualTo(0.05));
        Assert.That(lrs[4], Is.EqualTo(b));
        Assert.That(lrs[8], Is.EqualTo((b + etaMin) / 2).Within(1e-17));
        Assert.That(lrs[12], Is.EqualTo(etaMin));
        Assert.That(lrs[15], Is.EqualTo(etaMin));
        Assert.That(Sequence(o => new WarmupCosine(o, 0, 2), 1)[0], Is.EqualTo(0.1));
    }

    [Test]
    public void BaseRateIsCapturedAtConstruction()
    {
        var opt = Optimizer(0.3);
        var s = new LinearLR(opt, 0.5);
        Assert.That(s.BaseLearningRate, Is.EqualTo(0.3));
        Assert.That(opt.LearningRate, Is.EqualTo(0.15));
        Assert.That(s.LastEpoch, Is.EqualTo(0));
    }

    [Test]
    public void StateRoundTripResumesTheSchedule()
    {
        var straight = Sequence(o => new WarmupCosine(o, 3, 10), 8);

        var opt = Optimizer();
        var s = new WarmupCosine(opt, 3, 10);
        for (int i = 0; i < 5; i++) { opt.Step(); s.Step(); }
        var optState = opt.GetState();
        var schedState = s.GetState();

        var opt2 = Optimizer();
        var s2 = new WarmupCosine(opt2, 3, 10);
        opt2.LoadState(optState);
        s2.LoadState(schedState);
        Assert.That(opt2.LearningRate, Is.EqualTo(straight[5]));
        for (int i = 5; i < 8; i++)
        {
            opt2.Step();
            s2.Step();
            Assert.That(opt2.LearningRate, Is.EqualTo(straight[i + 1]));
        }
        Assert.That(() => new StepLR(Optimizer(), 2).LoadState(schedState), Throws.ArgumentException.With.Message.Contains("'WarmupCosine'"));
    }

    [Test]
    public void RejectsBadArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new StepLR(Optimizer(), 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CosineAnnealingLR(Optimizer(), 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinearLR(Optimizer(), startFactor: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WarmupCosine(Optimizer(), 5, 5));
        Assert.Throws<ArgumentNullException>(() => new LambdaLR(Optimizer(), null!));
    }
}
