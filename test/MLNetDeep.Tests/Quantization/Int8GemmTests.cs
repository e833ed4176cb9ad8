using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Kernels;
using MLNetDeep.Tests.Oracles;
using NUnit.Framework;

namespace MLNetDeep.Tests.Quantization;

/// <summary>
/// The int8 GEMM against exact integer references: a plain long-accumulated loop here and PyTorch's int64 matmul,
/// on ragged shapes, 1 and 2 threads; the dequantizing epilogue against the float formula; the activation codes.
/// CI reruns this class with AVX-512 disabled (AVX2 path).
/// </summary>
public class Int8GemmTests
{
    private static readonly int[][] Shapes = [[1, 1, 1], [3, 15, 3], [5, 16, 4], [4, 17, 9], [17, 33, 130], [64, 10, 288], [130, 64, 577]];

    internal static (byte[] A, sbyte[] W) Operands(int m, int n, int k, int lda, int seed)
    {
        var g = new Generator((ulong)seed);
        var a = new byte[m * lda];
        for (int r = 0; r < m; r++)
            for (int c = 0; c < k; c++) a[r * lda + c] = (byte)(g.NextDouble() * 128);
        // The extremes must be exact too (no int16 saturation).
        if (m > 0 && k > 1) { a[0] = 127; a[1] = 127; }
        var w = new sbyte[n * k];
        for (int i = 0; i < w.Length; i++) w[i] = (sbyte)(g.NextDouble() * 255 - 127);
        if (w.Length > 1) { w[0] = 127; w[1] = 127; }
        return (a, w);
    }

    private static long[] Reference(int m, int n, int k, byte[] a, int lda, sbyte[] w)
    {
        var c = new long[m * n];
        for (int r = 0; r < m; r++)
            for (int o = 0; o < n; o++)
            {
                long s = 0;
                for (int i = 0; i < k; i++) s += a[r * lda + i] * (long)w[o * k + i];
                c[r * n + o] = s;
            }
        return c;
    }

    [Test]
    public void IntegerProductIsExact([Values(1, 2)] int threads)
    {
        int saved = Parallelism.NumThreads;
        Parallelism.NumThreads = threads;
        try
        {
            foreach (var s in Shapes)
            {
                int m = s[0], n = s[1], k = s[2], lda = PackedInt8Weights.Pad(k) + 4;
                var (a, w) = Operands(m, n, k, lda, m * 31 + n);
                var packed = new PackedInt8Weights(w, n, k);
                var c = new int[m * (n + 1)];
                Int8Gemm.Multiply(m, a, lda, packed, c, n + 1);
                var expected = Reference(m, n, k, a, lda, w);
                for (int r = 0; r < m; r++)
                    for (int o = 0; o < n; o++)
                        Assert.That(c[r * (n + 1) + o], Is.EqualTo(expected[r * n + o]), $"{m}x{n}x{k} C[{r},{o}]");
            }
        }
        finally { Parallelism.NumThreads = saved; }
    }

    [Test]
    public void PackingRoundTripsAndSumsRows()
    {
        var (_, w) = Operands(1, 19, 7, 8, 5);
        var p = new PackedInt8Weights(w, 19, 7);
        Assert.That(p.PaddedK, Is.EqualTo(8));
        for (int n = 0; n < 19; n++)
        {
            for (int k = 0; k < 7; k++) Assert.That(p[n, k], Is.EqualTo(w[n * 7 + k]));
            Assert.That(p.RowSums[n], Is.EqualTo(Enumerable.Range(0, 7).Sum(k => w[n * 7 + k])));
        }
        Assert.Throws<ArgumentException>(() => new PackedInt8Weights(new sbyte[] { -128 }, 1, 1));
    }

    [Test]
    public void DequantizingEpilogueMatchesFormula()
    {
        int m = 6, n = 20, k = 13, p = 3, lda = PackedInt8Weights.Pad(k);
        var (a, w) = Operands(m, n, k, lda, 9);
        var packed = new PackedInt8Weights(w, n, k);
        var scales = Enumerable.Range(0, n).Select(i => 0.01f * (i + 1)).ToArray();
        var bias = Enumerable.Range(0, n).Select(i => i - 10f).ToArray();
        const int zp = 37;
        var y = new float[m * n];
        Int8Gemm.MultiplyDequantize(m, a, lda, packed, zp, scales, bias, relu: true, p, y);
        var c = Reference(m, n, k, a, lda, w);
        for (int r = 0; r < m; r++)
            for (int o = 0; o < n; o++)
            {
                long centered = 0;
                for (int i = 0; i < k; i++) centered += (a[r * lda + i] - zp) * (long)w[o * k + i];
                Assert.That(c[r * n + o] - zp * (long)packed.RowSums[o], Is.EqualTo(centered));
                float expected = Math.Max(0, scales[o] * centered + bias[o]);
                // NCHW placement: image r / p, channel o, pixel r % p.
                Assert.That(y[r / p * n * p + o * p + r % p], Is.EqualTo(expected).Within(1e-4f * (1 + Math.Abs(expected))));
            }
    }

    [Test]
    public void PoolingEpilogueTakesTheMaximumOfEachFourRows()
    {
        // n = 20: one full block of 16 outputs (vector epilogue) and a ragged one of 4 (scalar epilogue).
        int m = 16, n = 20, k = 37, p = 2, lda = PackedInt8Weights.Pad(k);
        var (a, w) = Operands(m, n, k, lda, 21);
        var packed = new PackedInt8Weights(w, n, k);
        var scales = Enumerable.Range(0, n).Select(i => 0.003f * (i + 1)).ToArray();
        var bias = Enumerable.Range(0, n).Select(i => 2f * i - 20f).ToArray();
        const int zp = 11;
        var y = new float[m / 4 * n];
        Int8Gemm.MultiplyDequantize(m, a, lda, packed, zp, scales, bias, relu: true, p, y, maxOfFourRows: true);
        var c = Reference(m, n, k, a, lda, w);
        for (int r = 0; r < m / 4; r++)
            for (int o = 0; o < n; o++)
            {
                long best = Enumerable.Range(4 * r, 4).Max(i => c[i * n + o]);
                float expected = Math.Max(0, scales[o] * (best - zp * packed.RowSums[o]) + bias[o]);
                Assert.That(y[r / p * n * p + o * p + r % p], Is.EqualTo(expected), $"window {r}, output {o}");
            }
        Assert.Throws<ArgumentException>(() => Int8Gemm.MultiplyDequantize(6, a, lda, packed, zp, scales, bias, true, 1, y, maxOfFourRows: true));
    }

    [Test]
    public void ExtremeCodesAndWeightsDoNotSaturate([Values(1, 127, -127)] int weight)
    {
        // Every activation at the top code 127 and every weight at ±127 (or 1): each int16 pair sum is ±2·127·127 = ±32258,
        // the largest the kernel forms, still below 2¹⁵; the int32 sums reach 127·127·577.
        int m = 5, n = 18, k = 577, lda = PackedInt8Weights.Pad(k);
        var a = new byte[m * lda];
        for (int r = 0; r < m; r++) a.AsSpan(r * lda, k).Fill(127);
        var w = Enumerable.Repeat((sbyte)weight, n * k).ToArray();
        var c = new int[m * n];
        Int8Gemm.Multiply(m, a, lda, new PackedInt8Weights(w, n, k), c, n);
        Assert.That(c, Is.All.EqualTo(127 * weight * k));
    }

    [Test]
    public void ActivationCodesRoundHalfToEvenAndClamp()
    {
        var x = Enumerable.Range(0, 70).Select(i => (i - 20) * 0.25f).Append(float.NaN).Append(1e30f).Append(-1e30f).ToArray();
        var q = new byte[x.Length];
        Int8Quantization.Quantize(x, 0.5f, 10, q);
        for (int i = 0; i < x.Length; i++)
        {
            double r = Math.Round(x[i] / 0.5, MidpointRounding.ToEven);
            byte expected = double.IsNaN(r) ? (byte)10 : (byte)Math.Clamp(r + 10, 0, 127);
            Assert.That(q[i], Is.EqualTo(expected), $"x = {x[i]}");
        }
        var (scale, zero) = Int8Quantization.ActivationParameters(-1f, 3f);
        Assert.That(scale, Is.EqualTo(4f / 127).Within(1e-7));
        Assert.That(zero, Is.EqualTo(32));
    }

    [Test]
    public void IntegerProductMatchesTorch()
    {
        using var oracle = TorchOracle.Start();
        foreach (var s in Shapes.Skip(2))
        {
            int m = s[0], n = s[1], k = s[2], lda = PackedInt8Weights.Pad(k);
            var (a, w) = Operands(m, n, k, lda, n * 7 + k);
            var c = new int[m * n];
            Int8Gemm.Multiply(m, a, lda, new PackedInt8Weights(w, n, k), c, n);
            var aT = OracleTensor.I64([.. Enumerable.Range(0, m * k).Select(i => (long)a[i / k * lda + i % k])], m, k).NoGrad();
            var wT = OracleTensor.I64([.. Enumerable.Range(0, k * n).Select(i => (long)w[i % n * k + i / n])], k, n).NoGrad();
            var torch = oracle.Call("torch.matmul", [aT, wT]).Outputs[0]!.ToLongArray();
            Assert.That(c.Select(v => (long)v).ToArray(), Is.EqualTo(torch), $"{m}x{n}x{k}");
        }
    }
}
