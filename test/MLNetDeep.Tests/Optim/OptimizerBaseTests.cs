using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Optim;
using NUnit.Framework;
using static MLNetDeep.Tests.Optim.OptimTestData;

namespace MLNetDeep.Tests.Optim;

public class OptimizerBaseTests
{
    [Test]
    public void RejectsBadParameterLists()
    {
        var ok = Tensor.Zeros(2).RequiresGrad_();
        Assert.That(() => new Sgd([], 0.1), Throws.ArgumentException.With.Message.Contains("empty"));
        Assert.That(() => new Sgd([ok, ok], 0.1), Throws.ArgumentException.With.Message.Contains("more than once"));
        Assert.That(() => new Sgd([Tensor.Zeros([2], DType.Int64)], 0.1), Throws.ArgumentException.With.Message.Contains("Int64"));
        Assert.That(() => new Sgd([ok.Mul(2)], 0.1), Throws.ArgumentException.With.Message.Contains("not a leaf"));
        var matrix = Tensor.Zeros(2, 3);
        Assert.That(() => new Sgd([matrix.T], 0.1), Throws.ArgumentException.With.Message.Contains("non-contiguous"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([ok], -0.1));
    }

    [Test]
    public void ParametersWithoutGradientAreSkipped()
    {
        var a = Tensor.FromArray([1f, 2f], 2).RequiresGrad_();
        var b = Tensor.FromArray([3f, 4f], 2).RequiresGrad_();
        var opt = new Adam([a, b], learningRate: 0.1);
        a.Grad = Tensor.FromArray([1f, 1f], 2);
        opt.Step();
        Assert.That(b.ToArray<float>(), Is.EqualTo(new[] { 3f, 4f }));
        Assert.That(opt.State(1).IsInitialized, Is.False);
        Assert.That(opt.State(0).Step, Is.EqualTo(1));
        Assert.That(opt.GetState().Tensors.Keys, Is.EquivalentTo(new[] { "0.exp_avg", "0.exp_avg_sq" }));
    }

    [Test]
    public void ParametersAreUpdatedInPlace()
    {
        var p = Tensor.FromArray([1f, 2f], 2).RequiresGrad_();
        var view = p.Detach();                         // shares storage
        var opt = new Sgd([p], 1);
        p.Grad = Tensor.FromArray([1f, 1f], 2);
        opt.Step();
        Assert.That(opt.Parameters[0], Is.SameAs(p));
        Assert.That(view.ToArray<float>(), Is.EqualTo(new[] { 0f, 1f }));
    }

    [Test]
    public void MismatchedGradientShapeFailsBeforeAnythingChanges()
    {
        var a = Tensor.FromArray([1f, 2f], 2).RequiresGrad_();
        var b = Tensor.FromArray([3f, 4f], 2).RequiresGrad_();
        var opt = new Sgd([a, b], 1);
        a.Grad = Tensor.FromArray([1f, 1f], 2);
        b.Grad = Tensor.FromArray([1f, 1f, 1f], 3);
        Assert.That(() => opt.Step(), Throws.InvalidOperationException.With.Message.Contains("parameter 1 has shape [3]"));
        Assert.That(a.ToArray<float>(), Is.EqualTo(new[] { 1f, 2f }));
        Assert.That(opt.StepCount, Is.EqualTo(0));
        b.Grad = Tensor.FromArray([1.0, 1.0], 2);
        Assert.That(() => opt.Step(), Throws.InvalidOperationException.With.Message.Contains("Float64"));
    }

    [Test]
    public void ZeroGradClearsGradients()
    {
        var p = Tensor.FromArray([1f], 1).RequiresGrad_();
        p.Mul(p).Sum().Backward();
        var opt = new Sgd([p], 0.1);
        Assert.That(p.Grad, Is.Not.Null);
        var buffer = p.Grad;
        opt.ZeroGrad();
        Assert.That(p.Grad, Is.SameAs(buffer), "zeroed in place, as torch 1.13's zero_grad()");
        Assert.That(p.Grad!.Item(), Is.EqualTo(0));
        opt.ZeroGrad(setToNone: true);
        Assert.That(p.Grad, Is.Null);
    }

    [Test]
    public void WorksWithBackwardOnATwoDimensionalFloat64Parameter()
    {
        // loss = Σ(w − t)², gradient 2(w − t): plain SGD with lr 0.25 halves the distance to t each step.
        var w = Tensor.FromArray([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 2, 3).RequiresGrad_();
        var target = Tensor.FromArray([0.0, 0.0, 0.0, 2.0, 2.0, 2.0], 2, 3);
        var opt = new Sgd([w], 0.25);
        for (int i = 0; i < 3; i++)
        {
            opt.ZeroGrad();
            w.Sub(target).Square().Sum().Backward();
            opt.Step();
        }
        Assert.That(w.Shape.ToArray(), Is.EqualTo(new[] { 2, 3 }));
        Assert.That(w.ToArray<double>(), Is.EqualTo(new[] { 0.125, 0.25, 0.375, 2.25, 2.375, 2.5 }));
    }

    [TestCase(DType.Float32)]
    [TestCase(DType.Float64)]
    public void LargeParametersSplitAcrossCoresGiveTheSameResultAsSerial(DType dtype)
    {
        const int n = 200_003;
        static double[] RunWith(int threads, DType dt)
        {
            int saved = MLNetDeep.Tensors.Kernels.Parallelism.NumThreads;
            MLNetDeep.Tensors.Kernels.Parallelism.NumThreads = threads;
            try
            {
                var p = Init(n, dt).RequiresGrad_();
                Run(new Adam([p], 0.01, amsGrad: true, weightDecay: 0.1), 3);
                return p.ToDoubleArray();
            }
            finally { MLNetDeep.Tensors.Kernels.Parallelism.NumThreads = saved; }
        }
        Assert.That(RunWith(4, dtype), Is.EqualTo(RunWith(1, dtype)));
    }
}
