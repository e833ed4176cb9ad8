using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Optim;
using NUnit.Framework;

namespace MLNetDeep.Tests.Optim;

public class RegularizationTests
{
    [Test]
    public void L2PenaltyIsSumOfSquaresWithGradientTwoP()
    {
        var a = Tensor.FromArray([1f, -2f], 2).RequiresGrad_();
        var b = Tensor.FromArray([3f, 0f, 0.5f, -1f], 2, 2).RequiresGrad_();
        var penalty = Regularization.L2Penalty([a, b]);
        Assert.That(penalty.Rank, Is.EqualTo(0));
        Assert.That(penalty.Item(), Is.EqualTo(1 + 4 + 9 + 0 + 0.25 + 1));
        penalty.Backward();
        Assert.That(a.Grad!.ToArray<float>(), Is.EqualTo(new[] { 2f, -4f }));
        Assert.That(b.Grad!.ToArray<float>(), Is.EqualTo(new[] { 6f, 0f, 1f, -2f }));
    }

    [Test]
    public void L1PenaltyIsSumOfMagnitudesWithGradientSign()
    {
        var a = Tensor.FromArray([1.5, -2.0, 0.0], 3).RequiresGrad_();
        var penalty = Regularization.L1Penalty([a]);
        Assert.That(penalty.Item(), Is.EqualTo(3.5));
        penalty.Backward();
        Assert.That(a.Grad!.ToArray<double>(), Is.EqualTo(new[] { 1.0, -1.0, 0.0 }));
    }

    [Test]
    public void PenaltyAddsToALossAndTrainsTowardZero()
    {
        var w = Tensor.FromArray([4f], 1).RequiresGrad_();
        var opt = new Sgd([w], 0.25);
        var loss = w.Sub(Tensor.FromArray([2f], 1)).Square().Sum().Add(Regularization.L2Penalty([w]));
        loss.Backward();                                 // d/dw = 2(w − 2) + 2w = 12
        opt.Step();
        Assert.That(w.ToArray<float>()[0], Is.EqualTo(1f));
    }

    [Test]
    public void MixedDtypesAndEmptyListsWork()
    {
        var a = Tensor.FromArray([2f], 1).RequiresGrad_();
        var b = Tensor.FromArray([3.0], 1).RequiresGrad_();
        var penalty = Regularization.L2Penalty([a, b]);
        Assert.That(penalty.DType, Is.EqualTo(DType.Float32));
        Assert.That(penalty.Item(), Is.EqualTo(13.0));
        penalty.Backward();
        Assert.That(b.Grad!.ToArray<double>(), Is.EqualTo(new[] { 6.0 }));
        Assert.That(Regularization.L1Penalty([]).Item(), Is.EqualTo(0.0));
    }
}
