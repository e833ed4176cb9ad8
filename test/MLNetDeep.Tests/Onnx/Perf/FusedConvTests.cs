using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Kernels;
using NUnit.Framework;

namespace MLNetDeep.Tests.Onnx.Perf;

/// <summary>
/// The inference convolution with a fused clamp (float32 kernels: GEMM tile epilogue, depthwise row
/// kernel) equals Conv2d followed by Clamp, for pointwise, general (im2col), grouped and depthwise
/// convolutions, with and without bias, on one thread and on two (batch split over threads).
/// </summary>
[TestFixture]
public sealed class FusedConvTests
{
    // (N, C, H, W, O, K, stride, pad, groups)
    private static readonly object[] Shapes =
    [
        new object[] { 1, 16, 9, 11, 40, 1, 1, 0, 1 },
        new object[] { 3, 24, 7, 7, 300, 1, 1, 0, 1 },
        new object[] { 2, 3, 17, 15, 9, 3, 2, 1, 1 },
        new object[] { 2, 8, 10, 10, 12, 3, 1, 1, 4 },
        new object[] { 1, 20, 14, 14, 20, 3, 1, 1, 20 },
        new object[] { 3, 12, 15, 13, 12, 3, 2, 1, 12 },
        new object[] { 2, 6, 40, 37, 12, 5, 2, 2, 6 },
    ];

    [TestCaseSource(nameof(Shapes))]
    public void ClampedEqualsConvThenClamp(int n, int c, int h, int w, int o, int k, int stride, int pad, int groups)
    {
        var gen = new Generator(7);
        var x = Tensor.Randn([n, c, h, w], gen);
        var wt = Tensor.Randn([o, c / groups, k, k], gen);
        var b = Tensor.Randn([o], gen);
        int saved = Parallelism.NumThreads;
        try
        {
            foreach (int threads in new[] { 1, 2 })
            {
                Parallelism.NumThreads = threads;
                foreach (var bias in new[] { b, null })
                foreach (var (lo, hi) in new[] { (0f, float.PositiveInfinity), (0f, 6f), (float.NegativeInfinity, 0.5f) })
                {
                    var expected = F.Conv2d(x, wt, bias, [stride], [pad], [1], groups)
                        .Clamp(float.IsNegativeInfinity(lo) ? null : lo, float.IsPositiveInfinity(hi) ? null : hi).ToFloatArray();
                    var actual = F.Conv2dClamped(x, wt, bias, [stride], [pad], [1], groups, lo, hi).ToFloatArray();
                    Assert.That(actual.Length, Is.EqualTo(expected.Length));
                    for (int i = 0; i < expected.Length; i++)
                        Assert.That(actual[i], Is.EqualTo(expected[i]).Within(1e-5 + 1e-4 * Math.Abs(expected[i])),
                            $"threads {threads}, bias {bias != null}, clamp [{lo}, {hi}], element {i}");
                }
            }
        }
        finally { Parallelism.NumThreads = saved; }
    }
}
