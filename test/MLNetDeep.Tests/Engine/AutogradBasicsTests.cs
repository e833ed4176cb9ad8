using MLNetDeep.Tensors;
using NUnit.Framework;

namespace MLNetDeep.Tests.Engine;

/// <summary>Hand-computed autograd cases (no oracle needed): accumulation, broadcasting, views, no-grad.</summary>
public class AutogradBasicsTests
{
    [Test]
    public void NodeUsedTwiceAccumulatesBothContributions()
    {
        var x = Tensor.FromArray([2f, 3f], 2).RequiresGrad_();
        var y = (x * x + x).Sum();   // dy/dx = 2x + 1
        y.Backward();
        Assert.That(x.Grad!.ToArray<float>(), Is.EqualTo(new[] { 5f, 7f }));
    }

    [Test]
    public void BroadcastGradientIsSummedBackToInputShape()
    {
        var a = Tensor.Ones(2, 3).RequiresGrad_();
        var b = Tensor.FromArray([1f, 2f, 3f], 3).RequiresGrad_();
        (a * b).Sum().Backward();
        Assert.That(b.Grad!.ToArray<float>(), Is.EqualTo(new[] { 2f, 2f, 2f }));
        Assert.That(a.Grad!.ToArray<float>(), Is.EqualTo(new[] { 1f, 2f, 3f, 1f, 2f, 3f }));
    }

    [Test]
    public void MatMulOfTransposedViewMatchesHandResult()
    {
        var a = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 2, 3).RequiresGrad_();
        var w = Tensor.FromArray([1f, 0f, 1f, 0f, 1f, 0f], 2, 3).RequiresGrad_();
        var y = a.MatMul(w.T); // [2,2]
        Assert.That(y.ToArray<float>(), Is.EqualTo(new[] { 4f, 2f, 10f, 5f }));
        y.Sum().Backward();
        Assert.That(a.Grad!.ToArray<float>(), Is.EqualTo(new[] { 1f, 1f, 1f, 1f, 1f, 1f }));
        Assert.That(w.Grad!.ToArray<float>(), Is.EqualTo(new[] { 5f, 7f, 9f, 5f, 7f, 9f }));
    }

    [Test]
    public void SliceAndPermuteViewsRouteGradientsToTheRightElements()
    {
        var x = Tensor.Arange(12).Reshape(3, 4).Detach().RequiresGrad_();
        var y = x.Permute(1, 0).Slice(0, 1, 4, 2); // rows 1 and 3 of x^T → columns 1 and 3 of x
        Assert.That(y.ToArray<float>(), Is.EqualTo(new[] { 1f, 5f, 9f, 3f, 7f, 11f }));
        y.Sum().Backward();
        Assert.That(x.Grad!.ToArray<float>(), Is.EqualTo(new[] { 0f, 1f, 0f, 1f, 0f, 1f, 0f, 1f, 0f, 1f, 0f, 1f }));
    }

    [Test]
    public void NoGradScopeRecordsNothing()
    {
        var x = Tensor.Ones(2).RequiresGrad_();
        Tensor y;
        using (Tensor.NoGrad()) y = x * 2;
        Assert.That(y.RequiresGrad, Is.False);
        Assert.That((x * 2).RequiresGrad, Is.True);
    }

    [Test]
    public void GradientsAccumulateAcrossBackwardCalls()
    {
        var x = Tensor.FromArray([1f], 1).RequiresGrad_();
        (x * 3).Sum().Backward();
        (x * 3).Sum().Backward();
        Assert.That(x.Grad!.Item(), Is.EqualTo(6.0));
    }

    [Test]
    public void SharedUpstreamGradientIsNotAliasedBetweenLeaves()
    {
        var a = Tensor.Ones(3).RequiresGrad_();
        var b = Tensor.Ones(3).RequiresGrad_();
        (a + b).Sum().Backward();
        a.Grad!.Data<float>()[0] = 42;
        Assert.That(b.Grad!.ToArray<float>()[0], Is.EqualTo(1f));
    }

    [Test]
    public void ReductionsAndArgmax()
    {
        var x = Tensor.FromArray([1f, 5f, 3f, 4f, 2f, 6f], 2, 3);
        Assert.That(x.Sum(0).ToArray<float>(), Is.EqualTo(new[] { 5f, 7f, 9f }));
        Assert.That(x.Sum(1).ToArray<float>(), Is.EqualTo(new[] { 9f, 12f }));
        Assert.That(x.Max(1).ToArray<float>(), Is.EqualTo(new[] { 5f, 6f }));
        Assert.That(x.Argmax(1).ToArray<long>(), Is.EqualTo(new long[] { 1, 2 }));
        Assert.That(x.Mean().Item(), Is.EqualTo(3.5).Within(1e-6));
    }

    [Test]
    public void CrossEntropyOfUniformLogitsIsLogC()
    {
        var logits = Tensor.Zeros(4, 5);
        var target = Tensor.FromArray([0L, 1, 2, 3], 4);
        Assert.That(F.CrossEntropy(logits, target).Item(), Is.EqualTo(Math.Log(5)).Within(1e-6));
    }
}
