using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Kernels;
using NUnit.Framework;

namespace MLNetDeep.Tests.Onnx.Perf;

/// <summary>
/// The float32 depthwise inference kernel (3×3 register path, vectorized stride-2 phase split) against a
/// direct float64 convolution: strides 1 and 2, asymmetric and no padding, dilation, a channel
/// multiplier, widths below and above one 32-column load, batch &gt; 1, one and two threads, fused clamp.
/// </summary>
[TestFixture]
public sealed class DepthwiseConvKernelsTests
{
    // (N, C, multiplier, H, W, K, stride, padTop, padLeft, padBottom, padRight, dilation)
    private static readonly object[] Shapes =
    [
        new object[] { 2, 5, 1, 9, 11, 3, 1, 1, 1, 1, 1, 1 },
        new object[] { 3, 4, 1, 37, 70, 3, 2, 1, 1, 1, 1, 1 },
        new object[] { 1, 3, 2, 23, 45, 3, 2, 0, 1, 1, 0, 1 },
        new object[] { 2, 6, 1, 20, 33, 3, 2, 0, 0, 0, 0, 1 },
        new object[] { 1, 4, 1, 19, 40, 3, 1, 2, 2, 2, 2, 2 },
        new object[] { 2, 3, 1, 12, 64, 5, 2, 2, 2, 2, 2, 1 },
        new object[] { 1, 2, 1, 7, 7, 3, 1, 1, 1, 1, 1, 1 },
        new object[] { 2, 3, 1, 14, 50, 3, 1, 1, 0, 0, 1, 1 },
        new object[] { 1, 3, 1, 29, 35, 3, 2, 1, 1, 0, 0, 1 },
    ];

    /// <summary>
    /// The direct 3×3 kernel (masked loads and lane permutes, <see cref="Depthwise3x3F32"/>) gives the same
    /// bits as the padded-plane path it replaces, on mobilenet_v2's depthwise shapes and odd widths.
    /// </summary>
    [TestCase(1, 32, 112, 1, 1)]
    [TestCase(2, 24, 57, 2, 1)]
    [TestCase(3, 20, 28, 2, 1)]
    [TestCase(2, 40, 14, 1, 1)]
    [TestCase(2, 40, 7, 1, 1)]
    [TestCase(1, 9, 33, 1, 0)]
    [TestCase(2, 9, 31, 2, 0)]
    public void DirectThreeByThreeEqualsPaddedPlanePath(int n, int c, int size, int stride, int pad)
    {
        int outH = (size + 2 * pad - 3) / stride + 1, outW = (size + 3 + 2 * pad - 3) / stride + 1;
        var geometry = new ConvGeometry(n, c, size, size + 3, c, outH, outW, 3, 3, stride, stride, pad, pad, 1, 1, c);
        // Without AVX-512 the kernel is never chosen (both runs below take the portable path).
        Assert.That(Depthwise3x3F32.Handles(geometry), Is.EqualTo(System.Runtime.Intrinsics.X86.Avx512F.IsSupported));
        var gen = new Generator(5);
        var x = Tensor.Randn([n, c, size, size + 3], gen);
        var wt = Tensor.Randn([c, 1, 3, 3], gen);
        var b = Tensor.Randn([c], gen);
        int saved = Parallelism.NumThreads;
        try
        {
            foreach (int threads in new[] { 1, 2 })
            {
                Parallelism.NumThreads = threads;
                DepthwiseConvF32.ForceGeneric = true;
                var expected = F.Conv2dClamped(x, wt, b, [stride], [pad, pad, pad, pad], [1], c, 0f, 6f).ToFloatArray();
                DepthwiseConvF32.ForceGeneric = false;
                var got = F.Conv2dClamped(x, wt, b, [stride], [pad, pad, pad, pad], [1], c, 0f, 6f).ToFloatArray();
                Assert.That(got, Is.EqualTo(expected), $"threads {threads}");
            }
        }
        finally
        {
            Parallelism.NumThreads = saved;
            DepthwiseConvF32.ForceGeneric = false;
        }
    }

    [TestCaseSource(nameof(Shapes))]
    public void MatchesDirectReference(int n, int c, int mult, int h, int w, int k, int stride, int pt, int pl, int pb, int pr, int dil)
    {
        var gen = new Generator(3);
        int o = c * mult;
        var x = Tensor.Randn([n, c, h, w], gen);
        var wt = Tensor.Randn([o, 1, k, k], gen);
        var b = Tensor.Randn([o], gen);
        float[] xs = x.ToFloatArray(), ws = wt.ToFloatArray(), bs = b.ToFloatArray();
        int oh = (h + pt + pb - dil * (k - 1) - 1) / stride + 1, ow = (w + pl + pr - dil * (k - 1) - 1) / stride + 1;
        int saved = Parallelism.NumThreads;
        try
        {
            foreach (int threads in new[] { 1, 2 })
            foreach (var (lo, hi) in new[] { (float.NegativeInfinity, float.PositiveInfinity), (0f, 6f) })
            {
                Parallelism.NumThreads = threads;
                var y = F.Conv2dClamped(x, wt, b, [stride], [pt, pl, pb, pr], [dil], c, lo, hi);
                Assert.That(y.Dims, Is.EqualTo(new[] { n, o, oh, ow }));
                var ys = y.ToFloatArray();
                for (int s = 0; s < n; s++)
                for (int oc = 0; oc < o; oc++)
                for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    double acc = bs[oc];
                    for (int u = 0; u < k; u++)
                    for (int v = 0; v < k; v++)
                    {
                        int ih = i * stride - pt + u * dil, iw = j * stride - pl + v * dil;
                        if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
                        acc += (double)ws[(oc * k + u) * k + v] * xs[((s * c + oc / mult) * h + ih) * w + iw];
                    }
                    acc = Math.Min(Math.Max(acc, lo), hi);
                    Assert.That(ys[((s * o + oc) * oh + i) * ow + j], Is.EqualTo(acc).Within(1e-4 + 1e-5 * Math.Abs(acc)),
                        $"threads {threads}, clamp [{lo}, {hi}], sample {s}, channel {oc}, ({i}, {j})");
                }
            }
        }
        finally { Parallelism.NumThreads = saved; }
    }
}
