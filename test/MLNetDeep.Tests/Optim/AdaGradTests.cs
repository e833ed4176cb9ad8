using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Optim;
using NUnit.Framework;
using static MLNetDeep.Tests.Optim.OptimTestData;

namespace MLNetDeep.Tests.Optim;

public class AdaGradTests
{
    [Test]
    public void FirstStepMovesByLearningRateTimesSign()
    {
        // sum = g², so the step is lr·g/(|g| + eps) ≈ lr·sign(g).
        var p = Tensor.FromArray([1f, 1f, 1f], 3).RequiresGrad_();
        var opt = new AdaGrad([p], learningRate: 0.5);
        p.Grad = Tensor.FromArray([4f, -0.25f, 0f], 3);
        opt.Step();
        Assert.That(p.ToArray<float>(), Is.EqualTo(new[] { 0.5f, 1.5f, 1f }).Within(1e-6f));
    }

    [Test]
    public void SecondStepDividesByRootOfAccumulatedSquares()
    {
        var p = Tensor.FromArray([0.0], 1).RequiresGrad_();
        var opt = new AdaGrad([p], learningRate: 1, initialAccumulatorValue: 7, epsilon: 0);
        p.Grad = Tensor.FromArray([3.0], 1);
        opt.Step();                                   // sum = 7 + 9 = 16, p = −3/4
        Assert.That(p.ToArray<double>()[0], Is.EqualTo(-0.75));
        p.Grad = Tensor.FromArray([3.0], 1);
        opt.Step();                                   // sum = 25, p = −0.75 − 3/5
        Assert.That(p.ToArray<double>()[0], Is.EqualTo(-1.35).Within(1e-15));
    }

    [Test]
    public void LearningRateDecayDividesByOnePlusStepsTimesDecay()
    {
        var p = Tensor.FromArray([0.0], 1).RequiresGrad_();
        var opt = new AdaGrad([p], learningRate: 1, learningRateDecay: 0.5, epsilon: 0);
        p.Grad = Tensor.FromArray([2.0], 1);
        opt.Step();                                   // clr = 1, sum = 4: −1
        p.Grad = Tensor.FromArray([0.0], 1);
        opt.Step();                                   // zero gradient: no move, but the step count advances
        p.Grad = Tensor.FromArray([4.0], 1);
        opt.Step();                                   // clr = 1/(1 + 2·0.5) = 0.5, sum = 20: −0.5·4/√20
        Assert.That(p.ToArray<double>()[0], Is.EqualTo(-1 - 2 / Math.Sqrt(20)).Within(1e-15));
        Assert.That(opt.State(0).Step, Is.EqualTo(3));
    }

    [Test]
    public void AccumulatorsExistForEveryParameterFromTheStart()
    {
        var a = Tensor.Zeros(2).RequiresGrad_();
        var opt = new AdaGrad([a], initialAccumulatorValue: 0.5);
        Assert.That(opt.State(0).Buffer("sum")!.ToArray<float>(), Is.EqualTo(new[] { 0.5f, 0.5f }));
        Assert.That(opt.GetState().Tensors.Keys, Is.EquivalentTo(new[] { "0.sum" }));
    }

    [Test]
    public void MatchesPyTorchDefaults() => Assert.That(FiveSteps(ps => new AdaGrad(ps, 0.1)), Is.EqualTo(new[]
    {
        -0.7017343640327454f, -0.21555018424987793f, 0.2572229504585266f, -0.5134243965148926f, -0.074405238032341f,
        0.46518877148628235f, -0.5911213755607605f, 0.17353114485740662f, 0.5571728348731995f, -0.1513596475124359f,
    }));

    [Test]
    public void MatchesPyTorchWithDecayWeightDecayAndInitialValue() => Assert.That(
        FiveSteps(ps => new AdaGrad(ps, new AdaGradOptions { LearningRate = 0.1, LearningRateDecay = 0.01, WeightDecay = 0.1, InitialAccumulatorValue = 0.1 })),
        Is.EqualTo(new[]
        {
            -0.6901105642318726f, -0.2465209811925888f, 0.2557421624660492f, -0.5048061013221741f, -0.06897880882024765f,
            0.44564804434776306f, -0.560736894607544f, 0.1656649112701416f, 0.5610329508781433f, -0.15286770462989807f,
        }));
}
