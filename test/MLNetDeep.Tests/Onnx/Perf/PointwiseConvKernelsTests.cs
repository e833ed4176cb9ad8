using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Kernels;
using NUnit.Framework;

namespace MLNetDeep.Tests.Onnx.Perf;

/// <summary>
/// The batch-wide pointwise (1×1) convolution GEMM with packed weights: against a direct float64
/// reference, for planes smaller than a micro-kernel tile (slivers straddling several samples), ragged
/// rows and columns, inner dimensions over one k slab, one and two threads, with and without bias and
/// clamp; and the cached packed weights give the same bits as packing per call, repacking for a new array.
/// </summary>
[TestFixture]
public sealed class PointwiseConvKernelsTests
{
    // (N, C, H, W, O)
    private static readonly object[] Shapes =
    [
        new object[] { 1, 16, 9, 11, 40 },
        new object[] { 3, 24, 7, 7, 300 },
        new object[] { 5, 7, 1, 1, 13 },
        new object[] { 4, 9, 2, 3, 17 },
        new object[] { 2, 300, 5, 5, 9 },
        new object[] { 16, 20, 7, 7, 33 },
        new object[] { 2, 530, 3, 4, 70 },
        new object[] { 2, 0, 3, 3, 5 },
    ];

    [TestCaseSource(nameof(Shapes))]
    public void MatchesDirectReference(int n, int c, int h, int w, int o)
    {
        var gen = new Generator(11);
        var x = Tensor.Randn([n, c, h, w], gen);
        var wt = Tensor.Randn([o, c, 1, 1], gen);
        var b = Tensor.Randn([o], gen);
        float[] xs = x.ToFloatArray(), ws = wt.ToFloatArray(), bs = b.ToFloatArray();
        int p = h * w;
        int saved = Parallelism.NumThreads;
        try
        {
            foreach (int threads in new[] { 1, 2 })
            {
                Parallelism.NumThreads = threads;
                foreach (bool withBias in new[] { true, false })
                foreach (var (lo, hi) in new[] { (float.NegativeInfinity, float.PositiveInfinity), (0f, 6f) })
                {
                    var cache = new PackedWeightCache();
                    var uncached = F.Conv2dClamped(x, wt, withBias ? b : null, [1], [0], [1], 1, lo, hi).ToFloatArray();
                    var first = F.Conv2dClamped(x, wt, withBias ? b : null, [1], [0], [1], 1, lo, hi, cache).ToFloatArray();
                    var again = F.Conv2dClamped(x, wt, withBias ? b : null, [1], [0], [1], 1, lo, hi, cache).ToFloatArray();
                    Assert.That(first, Is.EqualTo(uncached), "cached packed weights change the result");
                    Assert.That(again, Is.EqualTo(uncached), "second use of the cache changes the result");
                    for (int s = 0; s < n; s++)
                    for (int oc = 0; oc < o; oc++)
                    for (int px = 0; px < p; px++)
                    {
                        double acc = withBias ? bs[oc] : 0;
                        for (int ic = 0; ic < c; ic++) acc += (double)ws[oc * c + ic] * xs[(s * c + ic) * p + px];
                        acc = Math.Min(Math.Max(acc, lo), hi);
                        float got = uncached[(s * o + oc) * p + px];
                        Assert.That(got, Is.EqualTo(acc).Within(1e-4 + 1e-5 * Math.Abs(acc)),
                            $"threads {threads}, bias {withBias}, clamp [{lo}, {hi}], sample {s}, channel {oc}, pixel {px}");
                    }
                }
            }
        }
        finally { Parallelism.NumThreads = saved; }
    }

    /// <summary>
    /// The batch-wide path (full tiles finished in the micro-kernel's registers, scratch tiles scattered)
    /// gives exactly the bits of the blocked GEMM with its fused epilogue run per sample (AVX-512; the portable
    /// kernels agree to rounding once k spans several slabs).
    /// </summary>
    [TestCase(2, 16, 7, 7, 40)]
    [TestCase(1, 24, 16, 8, 64)]
    [TestCase(3, 300, 4, 16, 24)]
    [TestCase(2, 530, 8, 8, 17)]
    public unsafe void BitIdenticalToPerSampleFusedGemm(int n, int c, int h, int w, int o)
    {
        var gen = new Generator(5);
        var x = Tensor.Randn([n, c, h, w], gen);
        var wt = Tensor.Randn([o, c, 1, 1], gen);
        var b = Tensor.Randn([o], gen);
        float[] xs = x.ToFloatArray(), ws = wt.ToFloatArray(), bs = b.ToFloatArray();
        int p = h * w;
        int saved = Parallelism.NumThreads;
        try
        {
            foreach (int threads in new[] { 1, 2 })
            foreach (var (lo, hi) in new[] { (float.NegativeInfinity, float.PositiveInfinity), (0f, 6f) })
            {
                Parallelism.NumThreads = threads;
                var got = F.Conv2dClamped(x, wt, b, [1], [0], [1], 1, lo, hi, new PackedWeightCache()).ToFloatArray();
                var expected = new float[n * o * p];
                fixed (float* px = xs, pw = ws, pb = bs, pe = expected)
                    for (int s = 0; s < n; s++)
                        Gemm.SgemmFused(true, o, p, c, pw, c, px + s * c * p, p, pe + s * o * p, p, pb, lo, hi);
                if (System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
                    Assert.That(got, Is.EqualTo(expected), $"threads {threads}, clamp [{lo}, {hi}]");
                else // the portable per-sample GEMM sums k slabs over 256 in another order: equal to rounding
                    for (int i = 0; i < got.Length; i++)
                        Assert.That(got[i], Is.EqualTo(expected[i]).Within(1e-5 * Math.Max(1, Math.Abs(expected[i]))), $"threads {threads}, clamp [{lo}, {hi}], index {i}");
            }
        }
        finally { Parallelism.NumThreads = saved; }
    }

    [Test]
    public void CacheRepacksForANewWeightArray()
    {
        var gen = new Generator(5);
        var x = Tensor.Randn([2, 12, 4, 4], gen);
        var w1 = Tensor.Randn([10, 12, 1, 1], gen);
        var w2 = Tensor.Randn([10, 12, 1, 1], gen);
        var cache = new PackedWeightCache();
        var y1 = F.Conv2dClamped(x, w1, null, [1], [0], [1], 1, float.NegativeInfinity, float.PositiveInfinity, cache).ToFloatArray();
        var y2 = F.Conv2dClamped(x, w2, null, [1], [0], [1], 1, float.NegativeInfinity, float.PositiveInfinity, cache).ToFloatArray();
        Assert.That(y1, Is.EqualTo(F.Conv2d(x, w1, null, [1], [0], [1], 1).ToFloatArray()));
        Assert.That(y2, Is.EqualTo(F.Conv2d(x, w2, null, [1], [0], [1], 1).ToFloatArray()));
        Assert.That(y2, Is.Not.EqualTo(y1));
    }
}
