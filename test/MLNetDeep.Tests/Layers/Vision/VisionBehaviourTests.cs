using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;
using NUnit.Framework;

namespace MLNetDeep.Tests.Layers.Vision;

/// <summary>Asymmetric padding, error messages, module structure and inference mode of the vision layers.</summary>
public class VisionBehaviourTests
{
    private static Tensor R(int seed, params int[] shape) => Tensor.Randn(shape, new Generator((ulong)seed));

    /// <summary>Zero (or <paramref name="value"/>) padding by concatenation: [top, left, bottom, right].</summary>
    private static Tensor Pad(Tensor x, int t, int l, int b, int r, double value = 0)
    {
        int n = x.Size(0), c = x.Size(1), h = x.Size(2), w = x.Size(3);
        var rows = Tensor.Cat([Tensor.Full([n, c, t, w], value), x, Tensor.Full([n, c, b, w], value)], 2);
        int hp = h + t + b;
        return Tensor.Cat([Tensor.Full([n, c, hp, l], value), rows, Tensor.Full([n, c, hp, r], value)], 3);
    }

    private static void AssertSame(Tensor expected, Tensor actual)
    {
        Assert.That(actual.Shape.ToArray(), Is.EqualTo(expected.Shape.ToArray()));
        var e = expected.ToFloatArray();
        var a = actual.ToFloatArray();
        for (int i = 0; i < e.Length; i++) Assert.That(a[i], Is.EqualTo(e[i]).Within(1e-5 + 1e-5 * Math.Abs(e[i])), $"element {i}");
    }

    [Test]
    public void AsymmetricConvPaddingEqualsExplicitZeroPadding()
    {
        var x = R(1, 2, 3, 6, 7);
        var w = R(2, 4, 3, 3, 2);
        var b = R(3, 4);
        AssertSame(F.Conv2d(Pad(x, 1, 0, 2, 1), w, b, stride: 2), F.Conv2d(x, w, b, [2], [1, 0, 2, 1], [1]));
        var dw = R(4, 3, 1, 3, 3);
        AssertSame(F.Conv2d(Pad(x, 0, 2, 1, 0), dw, null, groups: 3), F.Conv2d(x, dw, null, [1], [0, 2, 1, 0], [1], groups: 3));
    }

    [Test]
    public void AsymmetricPoolPaddingEqualsExplicitPadding()
    {
        var x = R(5, 2, 3, 7, 6);
        AssertSame(F.MaxPool2d(Pad(x, 0, 1, 1, 0, double.NegativeInfinity), 2, 2), F.MaxPool2d(x, [2], [2], [0, 1, 1, 0], [1]));
        AssertSame(F.AvgPool2d(Pad(x, 1, 1, 0, 1), 3, 2), F.AvgPool2d(x, [3], [2], [1, 1, 0, 1], countIncludePad: true));
    }

    [Test]
    public void WrongChannelCountNamesTheInput()
    {
        var e = Assert.Throws<ArgumentException>(() => new Conv2d(3, 4, 3).Forward(R(1, 1, 2, 5, 5)));
        Assert.That(e!.ParamName, Is.EqualTo("input"));
        Assert.That(e.Message, Does.Contain("3 channels"));
        var bn = Assert.Throws<ArgumentException>(() => new BatchNorm2d(4).Forward(R(2, 2, 3, 5, 5)));
        Assert.That(bn!.ParamName, Is.EqualTo("input"));
        var ct = Assert.Throws<ArgumentException>(() => new ConvTranspose2d(3, 2, 3).Forward(R(3, 1, 2, 4, 4)));
        Assert.That(ct!.ParamName, Is.EqualTo("input"));
    }

    [Test]
    public void KernelLargerThanPaddedInputNamesTheArgument()
    {
        var e = Assert.Throws<ArgumentException>(() => F.Conv2d(R(1, 1, 2, 3, 3), R(2, 4, 2, 5, 5), padding: 0));
        Assert.That(e!.ParamName, Is.EqualTo("weight"));
        Assert.That(e.Message, Does.Contain("larger than the padded input"));
        var p = Assert.Throws<ArgumentException>(() => F.MaxPool2d(R(3, 1, 2, 3, 3), 4));
        Assert.That(p!.ParamName, Is.EqualTo("kernelSize"));
        var wrongRank = Assert.Throws<ArgumentException>(() => F.Conv2d(R(4, 2, 3), R(5, 4, 2, 3, 3)));
        Assert.That(wrongRank!.ParamName, Is.EqualTo("input"));
        Assert.Throws<ArgumentException>(() => F.MaxPool2d(R(6, 1, 2, 6, 6), 2, 2, 2)); // padding over half the kernel
        Assert.Throws<ArgumentException>(() => new BatchNorm1d(3).Forward(R(7, 1, 3))); // one value per channel in training
    }

    [Test]
    public void UnbatchedInputsWork()
    {
        var x = R(8, 3, 6, 6);
        var w = R(9, 4, 3, 3, 3);
        AssertSame(F.Conv2d(x.Unsqueeze(0), w, null, padding: 1).Squeeze(0), F.Conv2d(x, w, null, padding: 1));
        AssertSame(F.MaxPool2d(x.Unsqueeze(0), 2).Squeeze(0), F.MaxPool2d(x, 2));
    }

    [Test]
    public void DepthwiseSeparableBlockComposesItsLayers()
    {
        var block = new DepthwiseSeparableBlock(4, 6, stride: 2, generator: new Generator(3));
        block.Eval();
        Assert.That(block.NamedParameters().Select(p => p.Key), Is.EquivalentTo(new[]
            { "depthwise.weight", "bn1.weight", "bn1.bias", "pointwise.weight", "bn2.weight", "bn2.bias" }));
        var x = R(10, 2, 4, 7, 7);
        var p = block.NamedParameters().ToDictionary(kv => kv.Key, kv => kv.Value);
        var bufs = block.NamedBuffers().ToDictionary(kv => kv.Key, kv => kv.Value);
        var y1 = F.BatchNorm(F.Conv2d(x, p["depthwise.weight"], null, stride: 2, padding: 1, groups: 4), bufs["bn1.running_mean"], bufs["bn1.running_var"], p["bn1.weight"], p["bn1.bias"]).Relu();
        var y = F.BatchNorm(F.Conv2d(y1, p["pointwise.weight"]), bufs["bn2.running_mean"], bufs["bn2.running_var"], p["bn2.weight"], p["bn2.bias"]).Relu();
        AssertSame(y, block.Forward(x));
        Assert.That(block.Forward(x).Shape.ToArray(), Is.EqualTo(new[] { 2, 6, 4, 4 }));
    }

    [Test]
    public void BlocksHaveTorchvisionStructure()
    {
        Assert.That(new BasicBlock(4, 4).HasDownsample, Is.False);
        Assert.That(new BasicBlock(4, 8, 2).HasDownsample, Is.True);
        Assert.That(new InvertedResidual(8, 8, 1, 6).UseResidual, Is.True);
        Assert.That(new InvertedResidual(8, 8, 2, 6).UseResidual, Is.False);
        Assert.That(new DenseBlock(3, 8, 4, 5).NumOutputFeatures, Is.EqualTo(23));
        Assert.That(new InvertedResidual(8, 8, 1, 6).NamedParameters().First().Key, Is.EqualTo("conv.0.0.weight"));
    }

    [Test]
    public void BatchNormEvalDoesNotTouchRunningStatistics()
    {
        var bn = new BatchNorm2d(3);
        bn.Eval();
        bn.Forward(R(11, 4, 3, 2, 2));
        Assert.That(bn.RunningMean!.ToFloatArray(), Is.EqualTo(new float[3]));
        Assert.That(bn.NumBatchesTracked!.Item(), Is.EqualTo(0));
        bn.Train();
        bn.Forward(R(12, 4, 3, 2, 2));
        Assert.That(bn.NumBatchesTracked!.Item(), Is.EqualTo(1));
        Assert.That(bn.RunningMean!.ToFloatArray().Any(v => v != 0), Is.True);
    }
}
