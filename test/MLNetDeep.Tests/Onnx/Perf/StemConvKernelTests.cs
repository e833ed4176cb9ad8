using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Kernels;
using NUnit.Framework;

namespace MLNetDeep.Tests.Onnx.Perf;

/// <summary>
/// The direct 3×3 stride-2 stem kernel (<see cref="StemConvF32"/>: taps built in registers, channels
/// accumulated from broadcast weights) gives the same bits as im2col plus the GEMM it replaces, and the
/// values of a float64 reference: 1–4 input channels, channel counts that do not fill a group of eight,
/// odd sizes, padding 0 and 1, one and two threads, with and without bias and clamp.
/// </summary>
[TestFixture]
public sealed class StemConvKernelTests
{
    [TestCase(1, 3, 37, 41, 20, 1)]
    [TestCase(2, 1, 33, 64, 16, 1)]
    [TestCase(3, 2, 18, 19, 9, 0)]
    [TestCase(1, 4, 50, 35, 32, 1)]
    public void DirectEqualsIm2ColAndReference(int n, int c, int h, int w, int o, int pad)
    {
        int oh0 = (h + 2 * pad - 3) / 2 + 1, ow0 = (w + 2 * pad - 3) / 2 + 1;
        var geometry = new ConvGeometry(n, c, h, w, o, oh0, ow0, 3, 3, 2, 2, pad, pad, 1, 1, 1);
        // Without AVX-512 the kernel is never chosen (both runs below take the portable path).
        Assert.That(StemConvF32.Handles(geometry), Is.EqualTo(System.Runtime.Intrinsics.X86.Avx512F.IsSupported));
        var gen = new Generator(11);
        var x = Tensor.Randn([n, c, h, w], gen);
        var wt = Tensor.Randn([o, c, 3, 3], gen);
        var b = Tensor.Randn([o], gen);
        float[] xs = x.ToFloatArray(), ws = wt.ToFloatArray(), bs = b.ToFloatArray();
        int oh = (h + 2 * pad - 3) / 2 + 1, ow = (w + 2 * pad - 3) / 2 + 1;
        int saved = Parallelism.NumThreads;
        try
        {
            foreach (int threads in new[] { 1, 2 })
            foreach (var bias in new[] { b, null })
            foreach (var (lo, hi) in new[] { (float.NegativeInfinity, float.PositiveInfinity), (0f, 6f) })
            {
                Parallelism.NumThreads = threads;
                ConvKernels.ForceIm2Col = true;
                var expected = F.Conv2dClamped(x, wt, bias, [2], [pad, pad, pad, pad], [1], 1, lo, hi).ToFloatArray();
                ConvKernels.ForceIm2Col = false;
                var got = F.Conv2dClamped(x, wt, bias, [2], [pad, pad, pad, pad], [1], 1, lo, hi).ToFloatArray();
                Assert.That(got, Is.EqualTo(expected), $"threads {threads}, bias {bias != null}, clamp [{lo}, {hi}]");
                for (int s = 0; s < n; s++)
                for (int oc = 0; oc < o; oc++)
                for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    double acc = bias != null ? bs[oc] : 0;
                    for (int ci = 0; ci < c; ci++)
                    for (int u = 0; u < 3; u++)
                    for (int v = 0; v < 3; v++)
                    {
                        int ih = 2 * i - pad + u, iw = 2 * j - pad + v;
                        if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
                        acc += (double)ws[((oc * c + ci) * 3 + u) * 3 + v] * xs[((s * c + ci) * h + ih) * w + iw];
                    }
                    acc = Math.Min(Math.Max(acc, lo), hi);
                    Assert.That(got[((s * o + oc) * oh + i) * ow + j], Is.EqualTo(acc).Within(1e-4 + 1e-5 * Math.Abs(acc)));
                }
            }
        }
        finally
        {
            Parallelism.NumThreads = saved;
            ConvKernels.ForceIm2Col = false;
        }
    }
}
