using MLNetDeep.Tensors;
using NUnit.Framework;

namespace MLNetDeep.Tests.Engine;

/// <summary>Kernel paths that gradchecks on small tensors do not reach: SIMD bodies with tails, parallel chunks, strided layouts.</summary>
public class ElementwiseKernelTests
{
    [TestCase(37)]
    [TestCase(100_003)]
    public void ComparisonMasksMatchScalarDefinition(int n)
    {
        var a = Tensor.Randn([n], new Generator(1));
        var b = Tensor.Randn([n], new Generator(2));
        float[] av = a.ToArray<float>(), bv = b.ToArray<float>();
        var gt = a.Gt(b).ToArray<float>();
        var lt = a.Lt(0.25).ToArray<float>();
        var eq = a.Eq(a).ToArray<float>();
        for (int i = 0; i < n; i++)
        {
            Assert.That(gt[i], Is.EqualTo(av[i] > bv[i] ? 1f : 0f));
            Assert.That(lt[i], Is.EqualTo(av[i] < 0.25f ? 1f : 0f));
            Assert.That(eq[i], Is.EqualTo(1f));
        }
    }

    [Test]
    public void LargeBroadcastBinaryOpMatchesScalarLoop()
    {
        var a = Tensor.Randn([300, 257], new Generator(3));
        var b = Tensor.Randn([257], new Generator(4));
        var c = Tensor.Randn([300, 1], new Generator(5));
        var y = a.Mul(b).Sub(c).ToArray<float>();
        float[] av = a.ToArray<float>(), bv = b.ToArray<float>(), cv = c.ToArray<float>();
        for (int i = 0; i < 300; i++)
            for (int j = 0; j < 257; j++)
                Assert.That(y[i * 257 + j], Is.EqualTo(av[i * 257 + j] * bv[j] - cv[i]));
    }

    [Test]
    public void StridedViewsAreCopiedInLogicalOrder()
    {
        var x = Tensor.Arange(2 * 3 * 4).Reshape(2, 3, 4);
        var v = x.Permute(2, 0, 1).Slice(0, 1, 4, 2); // [2, 2, 3]
        var expected = new List<float>();
        foreach (int k in new[] { 1, 3 })
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 3; j++)
                    expected.Add(i * 12 + j * 4 + k);
        Assert.That(v.ToArray<float>(), Is.EqualTo(expected.ToArray()));
    }

    [Test]
    public void LargeReductionsMatchDoubleAccumulation()
    {
        var x = Tensor.Randn([3, 50_000], new Generator(6));
        var s = x.Sum(1).ToArray<float>();
        var cols = x.Reshape(300, 500).Sum(0).ToArray<float>();
        var v = x.ToArray<float>();
        for (int r = 0; r < 3; r++)
        {
            double acc = 0;
            for (int i = 0; i < 50_000; i++) acc += v[r * 50_000 + i];
            Assert.That(s[r], Is.EqualTo(acc).Within(1e-2));
        }
        for (int c = 0; c < 500; c++)
        {
            double acc = 0;
            for (int r = 0; r < 300; r++) acc += v[r * 500 + c];
            Assert.That(cols[c], Is.EqualTo(acc).Within(1e-3));
        }
    }

    [Test]
    public void ErfMatchesReferenceValues()
    {
        var x = Tensor.FromArray([0.0, 0.5, 1.0, -2.0, 2.5, 3.0, 7.0], 7);
        var e = x.Erf().ToArray<double>();
        double[] reference = [0.0, 0.5204998778130465, 0.8427007929497149, -0.9953222650189527, 0.9995930479825550, 0.9999779095030014, 1.0];
        for (int i = 0; i < e.Length; i++) Assert.That(e[i], Is.EqualTo(reference[i]).Within(1e-15));
    }
}

/// <summary>Tensors with a zero-sized dimension anywhere.</summary>
public class EmptyTensorTests
{
    [Test]
    public void EmptyTensorsAreContiguousAndCopyable()
    {
        var t = Tensor.Zeros(2, 0, 3);
        Assert.That(t.IsContiguous, Is.True);
        Assert.That(t.ToArray<float>(), Is.Empty);
        Assert.That(t.FillInPlace(1).Numel, Is.EqualTo(0));
        Assert.That(t.CopyFrom(Tensor.Zeros(2, 0, 3)).Numel, Is.EqualTo(0));
        Assert.That(t.Permute(2, 0, 1).Contiguous().Shape.ToArray(), Is.EqualTo(new[] { 3, 2, 0 }));
        Assert.That(Tensor.Zeros(2, 0).Sum(1).ToArray<float>(), Is.EqualTo(new[] { 0f, 0f }));
    }
}
