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
    public void IndexSelectWorksOnInt64Labels()
    {
        var labels = Tensor.FromArray([7L, 8, 9], 3);
        Assert.That(labels.IndexSelect(0, Tensor.FromArray([2L, 0], 2)).ToArray<long>(), Is.EqualTo(new long[] { 9, 7 }));
    }

    [Test]
    public void CrossEntropyOfUniformLogitsIsLogC()
    {
        var logits = Tensor.Zeros(4, 5);
        var target = Tensor.FromArray([0L, 1, 2, 3], 4);
        Assert.That(F.CrossEntropy(logits, target).Item(), Is.EqualTo(Math.Log(5)).Within(1e-6));
    }
}

/// <summary>Backward hands consumed gradient buffers back for reuse; what it hands out must stay intact.</summary>
public class GradientBufferReuseTests
{
    [Test]
    public void RepeatedTrainingStepsGiveIdenticalGradients()
    {
        // Large enough that gradient buffers go through the pool; identical inputs must give identical gradients every time.
        var g = new Generator(3);
        var w1 = Tensor.Randn([200, 150], g).RequiresGrad_();
        var w2 = Tensor.Randn([10, 200], g).RequiresGrad_();
        var x = Tensor.Randn([128, 150], g);
        float[]? first = null;
        for (int step = 0; step < 4; step++)
        {
            w1.Grad?.FillInPlace(0);
            w2.Grad?.FillInPlace(0);
            var h = F.Linear(x, w1).Relu();
            var y = F.Linear(h, w2);
            (y.Square().Mean() + h.Mean()).Backward();
            var now = w1.Grad!.ToArray<float>().Concat(w2.Grad!.ToArray<float>()).ToArray();
            if (first == null) first = now;
            else Assert.That(now, Is.EqualTo(first), $"step {step}");
        }
    }

    [Test]
    public void GradientSharedByTwoLeavesSurvivesBufferReuse()
    {
        var a = Tensor.Zeros(200, 100).RequiresGrad_();
        var b = Tensor.Zeros(200, 100).RequiresGrad_();
        var seed = Tensor.Randn([200, 100], new Generator(4));
        (a + b).Backward(seed);
        var before = a.Grad!.ToArray<float>();
        // More work that allocates and releases buffers of the same size.
        for (int i = 0; i < 3; i++) (Tensor.Zeros(200, 100).RequiresGrad_() * 2).Sum().Backward();
        Assert.That(a.Grad!.ToArray<float>(), Is.EqualTo(before));
        Assert.That(b.Grad!.ToArray<float>(), Is.EqualTo(seed.ToArray<float>()));
        Assert.That(seed.ToArray<float>(), Is.EqualTo(before), "the caller's seed gradient is never recycled");
    }
}
