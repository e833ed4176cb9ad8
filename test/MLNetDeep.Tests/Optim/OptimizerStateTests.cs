using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Optim;
using NUnit.Framework;
using static MLNetDeep.Tests.Optim.OptimTestData;

namespace MLNetDeep.Tests.Optim;

public class OptimizerStateTests
{
    private static readonly (string Name, Func<Tensor[], Optimizer> Make)[] Optimizers =
    [
        ("Sgd", ps => new Sgd(ps, 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01)),
        ("AdaGrad", ps => new AdaGrad(ps, 0.1, learningRateDecay: 0.01, initialAccumulatorValue: 0.1)),
        ("RmsProp", ps => new RmsProp(ps, 0.01, momentum: 0.9, centered: true, weightDecay: 0.1)),
        ("Adam", ps => new Adam(ps, 0.01, amsGrad: true, weightDecay: 0.1)),
        ("AdamW", ps => new AdamW(ps, 0.01, amsGrad: true)),
    ];

    private static IEnumerable<TestCaseData> Cases() => Optimizers.Select(o => new TestCaseData(o.Make).SetName($"SaveLoadContinueIsBitIdentical({o.Name})"));

    private static Tensor[] Model() =>
    [
        Init(10).RequiresGrad_(),
        Init(6, DType.Float64).Reshape(2, 3).Detach().RequiresGrad_(),
        Init(3).RequiresGrad_(),                        // never gets a gradient
    ];

    private static void Train(Optimizer opt, int from, int steps)
    {
        for (int s = from; s < from + steps; s++)
        {
            opt.ZeroGrad();
            SetGrad(opt.Parameters[0], s);
            if (s % 2 == 0) SetGrad(opt.Parameters[1], s);   // parameter 1 is skipped on odd steps
            opt.Step();
            opt.LearningRate *= 0.9;                          // as a scheduler would
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void SaveLoadContinueIsBitIdentical(Func<Tensor[], Optimizer> make)
    {
        var straight = Model();
        Train(make(straight), 0, 7);

        var first = Model();
        var opt1 = make(first);
        Train(opt1, 0, 4);
        var state = opt1.GetState();
        var resumed = first.Select(p => Tensor.Zeros(p.Shape.ToArray(), p.DType).CopyFrom(p).RequiresGrad_()).ToArray();
        Train(opt1, 4, 1);                                   // the snapshot must not follow later steps

        var opt2 = make(resumed);
        opt2.LearningRate = 123;                            // overwritten by LoadState
        opt2.LoadState(state);
        Assert.That(opt2.StepCount, Is.EqualTo(4));
        Train(opt2, 4, 3);

        for (int i = 0; i < 3; i++)
            Assert.That(resumed[i].ToDoubleArray(), Is.EqualTo(straight[i].ToDoubleArray()), $"parameter {i}");
    }

    [Test]
    public void StateHoldsStepsHyperparametersAndCopies()
    {
        var p = Init(4).RequiresGrad_();
        var opt = new Adam([p], 0.01, beta1: 0.8);
        Run(opt, 2);
        var s = opt.GetState();
        Assert.That(s.Scalars["type"], Is.EqualTo("Adam"));
        Assert.That(s.Scalars["step_count"], Is.EqualTo("2"));
        Assert.That(s.Scalars["0.step"], Is.EqualTo("2"));
        Assert.That(s.Scalars["beta1"], Is.EqualTo("0.8"));
        Assert.That(s.Scalars["lr"], Is.EqualTo("0.01"));
        Assert.That(s.Tensors["0.exp_avg"], Is.Not.SameAs(opt.State(0).Buffer("exp_avg")));
        Assert.That(s.Tensors["0.exp_avg"].ToArray<float>(), Is.EqualTo(opt.State(0).Buffer("exp_avg")!.ToArray<float>()));
    }

    [Test]
    public void LoadStateRestoresHyperparameters()
    {
        var a = Init(4).RequiresGrad_();
        var src = new RmsProp([a], 0.05, alpha: 0.9, momentum: 0.5, centered: true);
        Run(src, 1);
        var dst = new RmsProp([Init(4).RequiresGrad_()]);
        dst.LoadState(src.GetState());
        Assert.That((dst.LearningRate, dst.Alpha, dst.Momentum, dst.Centered), Is.EqualTo((0.05, 0.9, 0.5, true)));
    }

    private static OptimizerState AdamState()
    {
        var p = Init(4).RequiresGrad_();
        var opt = new Adam([p], 0.01);
        Run(opt, 2);
        return opt.GetState();
    }

    [Test]
    public void LoadStateRejectsAnotherOptimizerType()
    {
        var sgd = new Sgd([Init(4).RequiresGrad_()], 0.1);
        Assert.That(() => sgd.LoadState(AdamState()), Throws.ArgumentException.With.Message.EqualTo("Optimizer state is for 'Adam' but this optimizer is 'Sgd'. (Parameter 'state')"));
    }

    [Test]
    public void LoadStateRejectsAnotherParameterCount()
    {
        var opt = new Adam([Init(4).RequiresGrad_(), Init(4).RequiresGrad_()]);
        Assert.That(() => opt.LoadState(AdamState()), Throws.ArgumentException.With.Message.Contains("has 1 parameters but this optimizer has 2"));
    }

    [Test]
    public void LoadStateRejectsAnotherShapeAndLeavesTheOptimizerUnchanged()
    {
        var opt = new Adam([Init(5).RequiresGrad_()], 0.02, beta1: 0.5);
        var state = AdamState();
        Assert.That(() => opt.LoadState(state),
            Throws.ArgumentException.With.Message.EqualTo("Optimizer state tensor '0.exp_avg' is Float32 [4] but parameter 0 is Float32 [5]."));
        Assert.That((opt.LearningRate, opt.Beta1, opt.StepCount), Is.EqualTo((0.02, 0.5, 0)));
    }

    [Test]
    public void LoadStateRejectsMissingUnknownOrMalformedEntries()
    {
        var opt = new Adam([Init(4).RequiresGrad_()]);
        var missing = AdamState();
        missing.Tensors.Remove("0.exp_avg_sq");
        Assert.That(() => opt.LoadState(missing), Throws.ArgumentException.With.Message.Contains("lacks tensor '0.exp_avg_sq'"));

        var unknown = AdamState();
        unknown.Tensors["0.momentum_buffer"] = Tensor.Zeros(4);
        Assert.That(() => opt.LoadState(unknown), Throws.ArgumentException.With.Message.Contains("has no buffer 'momentum_buffer'"));

        var badIndex = AdamState();
        badIndex.Tensors["7.exp_avg"] = Tensor.Zeros(4);
        Assert.That(() => opt.LoadState(badIndex), Throws.ArgumentException.With.Message.Contains("'7.exp_avg'"));

        var noValue = AdamState();
        noValue.Scalars.Remove("beta2");
        Assert.That(() => opt.LoadState(noValue), Throws.ArgumentException.With.Message.Contains("lacks the value 'beta2'"));

        var amsNeeded = AdamState();
        amsNeeded.Scalars["amsgrad"] = "true";
        Assert.That(() => opt.LoadState(amsNeeded), Throws.ArgumentException.With.Message.Contains("'0.max_exp_avg_sq'"));
        Assert.That(opt.AmsGrad, Is.False);

        var wrongDtype = AdamState();
        wrongDtype.Tensors["0.exp_avg"] = Tensor.Zeros([4], DType.Float64);
        Assert.That(() => opt.LoadState(wrongDtype), Throws.ArgumentException.With.Message.Contains("is Float64 [4]"));
    }
}
