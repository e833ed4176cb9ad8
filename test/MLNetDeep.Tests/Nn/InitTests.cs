using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;
using NUnit.Framework;

namespace MLNetDeep.Tests.Nn;

public class InitTests
{
    private static (double Mean, double Std, double Min, double Max) Stats(Tensor t)
    {
        var v = t.ToDoubleArray();
        double mean = v.Average();
        double std = Math.Sqrt(v.Select(x => (x - mean) * (x - mean)).Sum() / (v.Length - 1));
        return (mean, std, v.Min(), v.Max());
    }

    [Test]
    public void GainsMatchPyTorch()
    {
        Assert.That(Init.CalculateGain("linear"), Is.EqualTo(1));
        Assert.That(Init.CalculateGain("conv2d"), Is.EqualTo(1));
        Assert.That(Init.CalculateGain("sigmoid"), Is.EqualTo(1));
        Assert.That(Init.CalculateGain("tanh"), Is.EqualTo(5.0 / 3));
        Assert.That(Init.CalculateGain("relu"), Is.EqualTo(Math.Sqrt(2)));
        Assert.That(Init.CalculateGain("leaky_relu"), Is.EqualTo(Math.Sqrt(2 / (1 + 0.01 * 0.01))));
        Assert.That(Init.CalculateGain("leaky_relu", 0.2), Is.EqualTo(Math.Sqrt(2 / 1.04)));
        Assert.That(Init.CalculateGain("selu"), Is.EqualTo(0.75));
        Assert.Throws<ArgumentException>(() => Init.CalculateGain("swish"));
    }

    [Test]
    public void FansUseTheReceptiveField()
    {
        Assert.That(Init.CalculateFanInAndFanOut(Tensor.Zeros(8, 3)), Is.EqualTo((3L, 8L)));
        Assert.That(Init.CalculateFanInAndFanOut(Tensor.Zeros(16, 4, 3, 5)), Is.EqualTo((4L * 15, 16L * 15)));
        var ex = Assert.Throws<ArgumentException>(() => Init.XavierUniform(Tensor.Zeros(5)))!;
        Assert.That(ex.Message, Does.Contain("fewer than 2 dimensions"));
        Assert.Throws<ArgumentException>(() => Init.KaimingNormal(Tensor.Scalar(1)));
    }

    [Test]
    public void UniformAndNormalHaveTheRequestedMoments()
    {
        var u = Init.Uniform(Tensor.Zeros(400, 500), -2, 3, new Generator(1));
        var s = Stats(u);
        Assert.That(s.Min, Is.GreaterThanOrEqualTo(-2));
        Assert.That(s.Max, Is.LessThan(3));
        Assert.That(s.Mean, Is.EqualTo(0.5).Within(0.01));
        Assert.That(s.Std, Is.EqualTo(5 / Math.Sqrt(12)).Within(0.01));

        var n = Init.Normal(Tensor.Zeros([400, 500], DType.Float64), 1.5, 0.25, new Generator(2));
        s = Stats(n);
        Assert.That(s.Mean, Is.EqualTo(1.5).Within(0.002));
        Assert.That(s.Std, Is.EqualTo(0.25).Within(0.002));
        Assert.Throws<ArgumentException>(() => Init.Uniform(Tensor.Zeros([2], DType.Int64)));
    }

    [Test]
    public void ConstantsFillEveryElement()
    {
        Assert.That(Init.Constant(Tensor.Zeros(2, 2), 0.5).ToArray<float>(), Is.All.EqualTo(0.5f));
        Assert.That(Init.Ones(Tensor.Zeros([3], DType.Int64)).ToArray<long>(), Is.All.EqualTo(1L));
        Assert.That(Init.Zeros(Tensor.Ones(3)).ToArray<float>(), Is.All.EqualTo(0f));
    }

    [TestCase(1.0)]
    [TestCase(2.5)]
    public void XavierUniformBoundIsGainTimesSqrtSixOverFanSum(double gain)
    {
        var t = Init.XavierUniform(Tensor.Zeros(300, 200, 3), gain, new Generator(3));
        double bound = gain * Math.Sqrt(6.0 / (600 + 900));
        var s = Stats(t);
        Assert.That(s.Min, Is.GreaterThanOrEqualTo(-bound));
        Assert.That(s.Max, Is.LessThan(bound));
        Assert.That(s.Max, Is.GreaterThan(0.99 * bound));
        Assert.That(s.Std, Is.EqualTo(bound / Math.Sqrt(3)).Within(0.01 * bound));
    }

    [Test]
    public void XavierNormalStdIsGainTimesSqrtTwoOverFanSum()
    {
        var s = Stats(Init.XavierNormal(Tensor.Zeros(400, 600), 2, new Generator(4)));
        Assert.That(s.Mean, Is.EqualTo(0).Within(0.002));
        Assert.That(s.Std, Is.EqualTo(2 * Math.Sqrt(2.0 / 1000)).Within(0.01 * 2 * Math.Sqrt(2.0 / 1000)));
    }

    [TestCase(FanMode.FanIn, "relu", 0.0)]
    [TestCase(FanMode.FanOut, "relu", 0.0)]
    [TestCase(FanMode.FanIn, "leaky_relu", 0.2)]
    [TestCase(FanMode.FanOut, "tanh", 0.0)]
    public void KaimingStdIsGainOverSqrtFan(FanMode mode, string nonlinearity, double a)
    {
        var shape = new[] { 500, 160, 3 };
        long fan = mode == FanMode.FanIn ? 160 * 3 : 500 * 3;
        double std = Init.CalculateGain(nonlinearity, a) / Math.Sqrt(fan);

        var n = Stats(Init.KaimingNormal(Tensor.Zeros(shape), a, mode, nonlinearity, new Generator(5)));
        Assert.That(n.Mean, Is.EqualTo(0).Within(0.01 * std));
        Assert.That(n.Std, Is.EqualTo(std).Within(0.01 * std));

        var u = Stats(Init.KaimingUniform(Tensor.Zeros(shape), a, mode, nonlinearity, new Generator(6)));
        double bound = Math.Sqrt(3) * std;
        Assert.That(u.Min, Is.GreaterThanOrEqualTo(-bound));
        Assert.That(u.Max, Is.LessThan(bound));
        Assert.That(u.Std, Is.EqualTo(std).Within(0.01 * std));
    }

    [Test]
    public void SeededInitializersAreReproducible()
    {
        var a = Init.KaimingUniform(Tensor.Zeros(30, 20), generator: new Generator(77));
        var b = Init.KaimingUniform(Tensor.Zeros(30, 20), generator: new Generator(77));
        Assert.That(a.ToArray<float>(), Is.EqualTo(b.ToArray<float>()));
        var c = Init.XavierNormal(Tensor.Zeros([30, 20], DType.Float64), generator: new Generator(77));
        var d = Init.XavierNormal(Tensor.Zeros([30, 20], DType.Float64), generator: new Generator(77));
        Assert.That(c.ToArray<double>(), Is.EqualTo(d.ToArray<double>()));
        Assert.That(Init.Uniform(Tensor.Zeros(10), generator: new Generator(1)).ToArray<float>(),
            Is.EqualTo(Tensor.Rand([10], new Generator(1)).ToArray<float>()), "same stream as Tensor.Rand");
    }

    [Test]
    public void InitializersWorkOnStridedViewsAndParametersWithoutRecording()
    {
        var p = Tensor.Zeros(4, 6).RequiresGrad_();
        Init.Uniform(p.T, 1, 2, new Generator(1));
        Assert.That(p.IsLeaf, Is.True);
        Assert.That(p.ToArray<float>(), Is.All.InRange(1f, 2f));
        var big = Tensor.Zeros(4, 4);
        Init.Constant(big.Slice(1, 1, 3), 7);
        Assert.That(big.ToArray<float>().Count(v => v == 7), Is.EqualTo(8));
        Assert.That(Init.KaimingUniform(Tensor.Zeros(3, 0)).Numel, Is.EqualTo(0));
    }
}
