using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Kernels;
using MLNetDeep.Tensors.Nn;
using MLNetDeep.Tensors.Nn.Quantized;
using NUnit.Framework;

namespace MLNetDeep.Tests.Quantization;

/// <summary>
/// Dynamic int8 RNN/GRU/LSTM (<see cref="QuantizedRecurrent"/>): close to the float layers, one step exactly equal to a
/// plain-integer reference, the float module's options (layers, directions, lengths, mask, states, unbatched input), and
/// the dynamic quantizer replacing recurrent layers.
/// </summary>
public class QuantizedRecurrentTests
{
    /// <summary>
    /// Bound on max |int8 − float| relative to the largest float output (≈ 1 here). The activation codes are 7-bit per
    /// tensor: for ~N(0, 1) inputs (range ≈ 7) the rounding error has sd ≈ 7 / (127·√12) ≈ 0.016; through K = 24 products with
    /// U(−1/√32, 1/√32) weights (sd ≈ 0.10) a pre-activation is off by sd ≈ 0.016·√24·0.10 ≈ 0.008, the worst of ~2000 outputs
    /// ≈ 3.5 sd ≈ 0.03 (weight rounding adds less; tanh/σ do not amplify). 5e-2 leaves margin for the second layer and still
    /// fails on a wrong gate order, a missing bias or a wrong scale (errors of order 0.3 and more).
    /// </summary>
    private const float RelativeTolerance = 5e-2f;

    private static RecurrentModule Make(string kind, int input, int hidden, int layers, bool bidirectional, bool batchFirst, Generator g) => kind switch
    {
        "rnn" => new RNN(input, hidden, layers, batchFirst: batchFirst, bidirectional: bidirectional, generator: g),
        "gru" => new GRU(input, hidden, layers, batchFirst: batchFirst, bidirectional: bidirectional, generator: g),
        _ => new LSTM(input, hidden, layers, batchFirst: batchFirst, bidirectional: bidirectional, generator: g),
    };

    private static RecurrentOutput RunFloat(RecurrentModule m, Tensor x, Tensor? h0, Tensor? c0, Tensor? lengths) => m switch
    {
        LSTM l => l.Forward(x, h0, c0, lengths),
        GRU gru => gru.Forward(x, h0, lengths),
        RNN r => r.Forward(x, h0, lengths),
        _ => throw new ArgumentException("unknown module"),
    };

    private static void AssertRelClose(Tensor actual, Tensor expected, string what)
    {
        Assert.That(actual.Shape.ToArray(), Is.EqualTo(expected.Shape.ToArray()), what);
        var a = actual.ToFloatArray();
        var e = expected.ToFloatArray();
        float scale = e.Max(Math.Abs), err = a.Zip(e, (u, v) => Math.Abs(u - v)).Max();
        TestContext.Out.WriteLine($"{what}: max error {err} vs output scale {scale}");
        Assert.That(err, Is.LessThanOrEqualTo(RelativeTolerance * scale), $"{what}: max error {err} vs output scale {scale}");
        for (int i = 0; i < a.Length; i++)
            if (e[i] == 0) Assert.That(a[i], Is.EqualTo(0f), $"{what}: padded element {i}");
    }

    [TestCase("rnn", 1, false, false)]
    [TestCase("gru", 1, false, false)]
    [TestCase("lstm", 1, false, true)]
    [TestCase("rnn", 2, true, true)]
    [TestCase("gru", 2, true, false)]
    [TestCase("lstm", 2, true, false)]
    public void CloseToFloatModule(string kind, int layers, bool bidirectional, bool batchFirst)
    {
        var g = new Generator(11);
        int steps = 7, batch = 5, input = 24, hidden = 32, ld = layers * (bidirectional ? 2 : 1);
        var m = Make(kind, input, hidden, layers, bidirectional, batchFirst, g);
        m.Eval();
        var q = QuantizedRecurrent.From(m);
        var x = Tensor.Randn(batchFirst ? [batch, steps, input] : [steps, batch, input], g);
        var h0 = Tensor.Randn([ld, batch, hidden], g, std: 0.5);
        var c0 = kind == "lstm" ? Tensor.Randn([ld, batch, hidden], g, std: 0.5) : null;
        var lengths = Tensor.FromArray(new long[] { 7, 3, 5, 1, 7 }, 5);
        using var _ = Tensor.NoGrad();
        var f = RunFloat(m, x, h0, c0, lengths);
        var r = q.Forward(x, h0, c0, lengths);
        AssertRelClose(r.Output, f.Output, "output");
        AssertRelClose(r.HN, f.HN, "h_n");
        if (c0 != null) AssertRelClose(r.CN!, f.CN!, "c_n");
        Assert.That(r.CN is null, Is.EqualTo(c0 is null));
    }

    [Test]
    public void OneStepEqualsIntegerReference()
    {
        var g = new Generator(5);
        int batch = 3, input = 10, hidden = 7;
        var m = new RNN(input, hidden, nonlinearity: RecurrentNonlinearity.Relu, generator: g);
        var q = QuantizedRecurrent.From(m);
        var x = Tensor.Randn([1, batch, input], g);
        var h0 = Tensor.Randn([1, batch, hidden], g);
        var p = m.NamedParameters().ToDictionary(kv => kv.Key, kv => kv.Value.ToFloatArray());
        float[] gi = IntegerProduct(x.ToFloatArray(), batch, input, p["weight_ih_l0"], p["bias_ih_l0"], hidden, q.InputWeights[0]);
        float[] gh = IntegerProduct(h0.ToFloatArray(), batch, hidden, p["weight_hh_l0"], p["bias_hh_l0"], hidden, q.HiddenWeights[0]);
        var expected = gi.Zip(gh, (u, v) => Math.Max(0f, u + v)).ToArray();
        var r = q.Forward(x, h0);
        Assert.That(r.Output.ToFloatArray(), Is.EqualTo(expected));
        Assert.That(r.HN.ToFloatArray(), Is.EqualTo(expected));
    }

    /// <summary>Σₖ (code(x) − z)·q_w as a long, dequantized as (s_x·s_w)·acc + b: the arithmetic the int8 path must reproduce exactly.</summary>
    private static float[] IntegerProduct(float[] x, int rows, int depth, float[] w, float[] bias, int outputs, QuantizedLinear layer)
    {
        var (qw, sw) = Int8Quantization.QuantizeWeights(w, outputs, depth);
        Assert.That(layer.WeightValues, Is.EqualTo(qw));
        var (sx, zx) = Int8Quantization.ActivationParameters(x.Min(), x.Max());
        var y = new float[rows * outputs];
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < outputs; o++)
            {
                long acc = 0;
                for (int k = 0; k < depth; k++) acc += (Int8Quantization.Code(x[r * depth + k], sx, zx) - zx) * (long)qw[o * depth + k];
                y[r * outputs + o] = sx * sw[o] * (float)acc + bias[o];
            }
        return y;
    }

    [Test]
    public void MaskUnbatchedAndOptionErrors()
    {
        var g = new Generator(2);
        var m = new GRU(6, 8, batchFirst: true, generator: g);
        var q = QuantizedRecurrent.From(m);
        var x = Tensor.Randn([2, 4, 6], g);
        var mask = Tensor.FromArray(new float[] { 1, 1, 0, 0, 1, 1, 1, 1 }, 2, 4);
        var byMask = q.Forward(x, null, null, null, mask);
        var byLengths = q.Forward(x, null, null, Tensor.FromArray(new long[] { 2, 4 }, 2));
        Assert.That(byMask.Output.ToFloatArray(), Is.EqualTo(byLengths.Output.ToFloatArray()));
        var single = q.Forward(x.Select(0, 1), null);
        Assert.That(single.Output.Shape.ToArray(), Is.EqualTo(new[] { 4, 8 }));
        Assert.That(single.HN.Shape.ToArray(), Is.EqualTo(new[] { 1, 8 }));
        Assert.Throws<ArgumentException>(() => q.Forward(x, null, Tensor.Zeros([1, 2, 8])));
        var ex = Assert.Throws<NotSupportedException>(() => QuantizedRecurrent.From(new LSTM(4, 4, peephole: true)));
        Assert.That(ex!.Message, Does.Contain("peephole"));
    }

    [Test]
    public void QuantizeDynamicKeepsPredictions()
    {
        var g = new Generator(9);
        int classes = 5;
        var net = new Sequential(new GRU(16, 48, 2, batchFirst: true, bidirectional: true, generator: g), new Linear(96, classes, generator: g));
        net.Eval();
        var quantized = PostTrainingQuantizer.QuantizeDynamic(net);
        var seq = (Sequential)quantized;
        Assert.That(seq[0], Is.InstanceOf<QuantizedRecurrent>());
        Assert.That(seq[1], Is.InstanceOf<QuantizedLinear>());
        Assert.That(PostTrainingQuantizer.QuantizeDynamic(new LSTM(3, 4)), Is.InstanceOf<QuantizedRecurrent>());
        int agree = 0, total = 0;
        using var _ = Tensor.NoGrad();
        for (int i = 0; i < 10; i++)
        {
            var x = Tensor.Randn([8, 6, 16], g);
            var a = net.Forward(x).ToFloatArray();
            var b = quantized.Forward(x).ToFloatArray();
            for (int r = 0; r < a.Length / classes; r++, total++)
                if (ArgMax(a, r * classes, classes) == ArgMax(b, r * classes, classes)) agree++;
        }
        Assert.That(agree, Is.GreaterThanOrEqualTo(0.95 * total), $"{agree}/{total} predictions kept");
    }

    /// <summary>Latency figure for docs/vision.md (not part of the suite): GRU(256, 256) over [T = 32, B = 32, 256], fp32 vs dynamic int8.</summary>
    [Test, Explicit("timing for the docs")]
    public void GruLatency()
    {
        var g = new Generator(1);
        var gru = new GRU(256, 256, generator: g);
        gru.Eval();
        var q = QuantizedRecurrent.From(gru);
        var x = Tensor.Randn([32, 32, 256], g);
        using var _ = Tensor.NoGrad();
        double Median(Func<Tensor> f)
        {
            f();
            var times = new List<double>();
            for (int i = 0; i < 15; i++)
            {
                var sw = System.Diagnostics.Stopwatch.StartNew();
                f();
                times.Add(sw.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            return times[times.Count / 2];
        }
        TestContext.Out.WriteLine($"GRU(256,256) T=32 B=32: fp32 {Median(() => gru.Forward(x)):F2} ms, int8 {Median(() => q.Forward(x)):F2} ms (median of 15)");
    }

    private static int ArgMax(float[] v, int offset, int n)
    {
        int best = 0;
        for (int i = 1; i < n; i++) if (v[offset + i] > v[offset + best]) best = i;
        return best;
    }
}
