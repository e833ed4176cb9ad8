using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Kernels;
using MLNetDeep.Tensors.Nn;
using MLNetDeep.Tensors.Nn.Quantized;
using NUnit.Framework;

namespace MLNetDeep.Tests.Quantization;

/// <summary>
/// Quantized layers against the float layer applied to the dequantized input and weights (the same arithmetic up to
/// float rounding), BatchNorm folding, and the post-training quantizer on a small CNN.
/// </summary>
public class QuantizedLayerTests
{
    /// <summary>x rounded to its quantization grid: (q − z)·s.</summary>
    private static Tensor FakeQuant(Tensor x, float scale, int zp)
    {
        var v = x.Contiguous().ToFloatArray();
        for (int i = 0; i < v.Length; i++) v[i] = (Int8Quantization.Code(v[i], scale, zp) - zp) * scale;
        return Tensor.FromArray(v, x.Shape.ToArray());
    }

    private static Tensor DequantizedWeights(IReadOnlyList<sbyte> q, IReadOnlyList<float> scales, int[] shape)
    {
        int per = q.Count / scales.Count;
        return Tensor.FromArray([.. q.Select((v, i) => v * scales[i / per])], shape);
    }

    private static void AssertClose(Tensor actual, Tensor expected, float tol)
    {
        Assert.That(actual.Shape.ToArray(), Is.EqualTo(expected.Shape.ToArray()));
        var a = actual.ToFloatArray();
        var e = expected.ToFloatArray();
        for (int i = 0; i < a.Length; i++) Assert.That(a[i], Is.EqualTo(e[i]).Within(tol * (1 + Math.Abs(e[i]))), $"element {i}");
    }

    [Test]
    public void LinearEqualsFloatOnQuantizedValues([Values(false, true)] bool dynamic)
    {
        var g = new Generator(3);
        var linear = new Linear(37, 19, generator: g);
        var x = Tensor.Randn([2, 5, 37], g);
        var range = new ActivationRange(-2.5f, 3f);
        var q = QuantizedLinear.From(linear, dynamic ? null : range.Parameters, relu: true);
        var (s, z) = dynamic ? Int8Quantization.ActivationParameters(x.ToFloatArray().Min(), x.ToFloatArray().Max()) : range.Parameters;
        var w = DequantizedWeights(q.WeightValues, q.WeightScales, [19, 37]);
        var expected = F.Linear(FakeQuant(x, s, z), w, linear.Bias).Relu();
        using (Tensor.NoGrad()) AssertClose(q.Forward(x), expected, 1e-4f);
        // And close to the float layer itself.
        using (Tensor.NoGrad()) AssertClose(q.Forward(x), linear.Forward(x).Relu(), 0.1f);
    }

    [TestCase(1, 3, 1, 1)]
    [TestCase(5, 3, 2, 1)]
    [TestCase(8, 1, 1, 0)]
    [TestCase(6, 3, 1, 0)]
    public void ConvEqualsFloatOnQuantizedValues(int cin, int kernel, int stride, int padding)
    {
        var g = new Generator(7);
        var conv = new Conv2d(cin, 20, kernel, stride, padding, generator: g);
        var x = Tensor.Randn([3, cin, 9, 8], g);
        var p = new ActivationRange(-3f, 2.5f).Parameters;
        var q = QuantizedConv2d.From(conv, p, relu: false);
        var w = DequantizedWeights(q.WeightValues, q.WeightScales, [20, cin, kernel, kernel]);
        var expected = F.Conv2d(FakeQuant(x, p.Scale, p.ZeroPoint), w, conv.Bias, stride, padding);
        using (Tensor.NoGrad()) AssertClose(q.Forward(x), expected, 1e-4f);
    }

    [TestCase(3, 10, 9, 1)]
    [TestCase(8, 7, 8, 0)]
    [TestCase(16, 14, 14, 1)]
    public void ConvWithFusedMaxPoolEqualsFloatConvReluPool(int cin, int h, int w, int padding)
    {
        var g = new Generator(13);
        var conv = new Conv2d(cin, 20, 3, 1, padding, generator: g);
        var x = Tensor.Randn([3, cin, h, w], g);
        var p = new ActivationRange(-3f, 2.5f).Parameters;
        var q = QuantizedConv2d.From(conv, p, relu: true, maxPool: true);
        var wq = DequantizedWeights(q.WeightValues, q.WeightScales, [20, cin, 3, 3]);
        // Odd conv output sizes check that floor-mode pooling drops the last row / column.
        var expected = F.MaxPool2d(F.Conv2d(FakeQuant(x, p.Scale, p.ZeroPoint), wq, conv.Bias, 1, padding).Relu(), 2, 2, 0, 1, false);
        using (Tensor.NoGrad()) AssertClose(q.Forward(x), expected, 1e-4f);
        // Pooling the int32 sums before dequantizing is exact: the same as the unfused layer followed by the pool.
        var unfused = QuantizedConv2d.From(conv, p, relu: true);
        using (Tensor.NoGrad()) Assert.That(q.Forward(x).ToFloatArray(), Is.EqualTo(F.MaxPool2d(unfused.Forward(x), 2, 2, 0, 1, false).ToFloatArray()));
    }

    [Test]
    public void FoldedBatchNormMatchesConvThenBatchNorm()
    {
        var g = new Generator(11);
        var conv = new Conv2d(3, 6, 3, 1, 1, bias: false, generator: g);
        var bn = new BatchNorm2d(6);
        using (Tensor.NoGrad())
        {
            for (int i = 0; i < 3; i++) bn.Forward(conv.Forward(Tensor.Randn([4, 3, 5, 5], g) * 2 + 1)); // running statistics
        }
        conv.Eval();
        bn.Eval();
        var x = Tensor.Randn([2, 3, 5, 5], g);
        using (Tensor.NoGrad()) AssertClose(BatchNormFolding.Fold(conv, bn).Forward(x), bn.Forward(conv.Forward(x)), 1e-5f);
    }

    internal static Sequential SmallCnn(Generator g) => new(
        new Sequential(new Conv2d(1, 8, 3, 1, 1, bias: false, generator: g), new BatchNorm2d(8), new ReLU()), new MaxPool2d(2),
        new Sequential(new Conv2d(8, 16, 3, 1, 1, bias: false, generator: g), new BatchNorm2d(16), new ReLU()), new MaxPool2d(2),
        new Flatten(), new Dropout(0.1, g), new Linear(16 * 7 * 7, 32, generator: g), new ReLU(), new Linear(32, 10, generator: g));

    [Test]
    public void QuantizerConvertsChainsAndKeepsPredictions()
    {
        var g = new Generator(5);
        var net = SmallCnn(g);
        net.Eval();
        var batches = Enumerable.Range(0, 3).Select(_ => Tensor.Rand([8, 1, 28, 28], g)).ToList();
        using var _ = Tensor.NoGrad();
        Assert.That(new PostTrainingQuantizer(fuseMaxPool: false).Quantize(net, batches).QuantizedLayers, Is.EqualTo(3), "the 1·3·3 stem stays float without a fused pool");
        Assert.That(new PostTrainingQuantizer().Quantize(net, batches).QuantizedLayers, Is.EqualTo(4), "with the pool after it fused, the stem is quantized");
        var noPool = new Sequential(new Conv2d(1, 8, 3, 1, 1, generator: g), new ReLU(), new Flatten(), new Linear(8 * 28 * 28, 10, generator: g));
        noPool.Eval();
        Assert.That(new PostTrainingQuantizer().Quantize(noPool, batches).QuantizedLayers, Is.EqualTo(1), "a shallow conv without a pool stays float");
        var result = new PostTrainingQuantizer(minimumConvDepth: 0).Quantize(net, batches);
        Assert.That(result.QuantizedLayers, Is.EqualTo(4));
        Assert.That(result.Ranges, Has.Count.EqualTo(4));
        var modules = result.Network.NamedModules().Select(m => m.Value).ToList();
        Assert.That(modules.OfType<BatchNorm2d>(), Is.Empty, "BatchNorms are folded");
        Assert.That(modules.OfType<MaxPool2d>(), Is.Empty, "the pools after the nested conv blocks are fused");
        Assert.That(modules.OfType<QuantizedConv2d>().Select(c => (c.Relu, c.MaxPool)), Is.All.EqualTo((true, true)));
        var x = Tensor.Rand([16, 1, 28, 28], g);
        var reference = net.Forward(x).ToFloatArray();
        var quantized = result.Network.Forward(x).ToFloatArray();
        double maxRef = reference.Max(Math.Abs), maxErr = reference.Zip(quantized, (a, b) => Math.Abs(a - b)).Max();
        Assert.That(maxErr, Is.LessThan(0.05 * maxRef), "int8 logits stay close to float");
        // The ranges alone rebuild the same network.
        var rebuilt = new PostTrainingQuantizer(minimumConvDepth: 0).Apply(net, result.Ranges).Forward(x).ToFloatArray();
        Assert.That(rebuilt, Is.EqualTo(quantized));
        Assert.Throws<ArgumentException>(() => new PostTrainingQuantizer(minimumConvDepth: 0).Apply(net, result.Ranges.Take(2).ToList()));
    }
}
