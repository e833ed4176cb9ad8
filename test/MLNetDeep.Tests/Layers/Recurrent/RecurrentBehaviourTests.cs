using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;
using NUnit.Framework;

namespace MLNetDeep.Tests.Layers.Recurrent;

/// <summary>
/// What PyTorch cannot check for us: peephole LSTM against a step-by-step reference, dropout between
/// layers, truncated BPTT against a chunked run with detached states, masks, and input validation.
/// </summary>
public class RecurrentBehaviourTests
{
    private static Tensor R(int seed, DType dtype, params int[] shape) => Tensor.Randn(shape, new Generator((ulong)seed), dtype: dtype);

    private static void Close(Tensor expected, Tensor? actual, double tol, string what)
    {
        Assert.That(actual, Is.Not.Null, what);
        Assert.That(actual!.Shape.ToArray(), Is.EqualTo(expected.Shape.ToArray()), what);
        var e = expected.ToDoubleArray();
        var a = actual.ToDoubleArray();
        for (int i = 0; i < e.Length; i++)
            Assert.That(a[i], Is.EqualTo(e[i]).Within(tol + tol * Math.Abs(e[i])), $"{what}: element {i}");
    }

    [Test]
    public void PeepholeLstmMatchesStepByStepReference()
    {
        const int T = 4, B = 2, In = 3, H = 6;
        var lstm = new LSTM(In, H, peephole: true, generator: new Generator(3), dtype: DType.Float64);
        Assert.That(lstm.NamedParameters().Select(p => p.Key), Does.Contain("weight_peephole_l0"));
        var x = R(1, DType.Float64, T, B, In);
        var h0 = R(2, DType.Float64, 1, B, H);
        var c0 = R(3, DType.Float64, 1, B, H);
        var up = R(4, DType.Float64, T, B, H);
        var p = lstm.NamedParameters().ToDictionary(kv => kv.Key, kv => kv.Value);

        // Reference from primitive ops: i = σ(.. + p_i⊙c), f = σ(.. + p_f⊙c), o = σ(.. + p_o⊙c').
        var xr = x.Detach().RequiresGrad_();
        Tensor h = h0.Select(0, 0), c = c0.Select(0, 0);
        var outs = new List<Tensor>();
        var peep = p["weight_peephole_l0"];
        for (int t = 0; t < T; t++)
        {
            var gates = F.Linear(xr.Select(0, t), p["weight_ih_l0"], p["bias_ih_l0"]).Add(F.Linear(h, p["weight_hh_l0"], p["bias_hh_l0"]));
            var ch = gates.Chunk(4, 1);
            var i = ch[0].Add(peep.Select(0, 0).Mul(c)).Sigmoid();
            var f = ch[1].Add(peep.Select(0, 1).Mul(c)).Sigmoid();
            var g = ch[2].Tanh();
            c = f.Mul(c).Add(i.Mul(g));
            var o = ch[3].Add(peep.Select(0, 2).Mul(c)).Sigmoid();
            h = o.Mul(c.Tanh());
            outs.Add(h);
        }
        var refOut = Tensor.Stack(outs);
        refOut.Mul(up).Sum().Add(c.Sum()).Backward();
        var refGrads = lstm.NamedParameters().ToDictionary(kv => kv.Key, kv => kv.Value.Grad!.Contiguous(force: true));
        lstm.ZeroGrad(setToNone: true);

        var xf = x.Detach().RequiresGrad_();
        var res = lstm.Forward(xf, h0, c0);
        Close(refOut, res.Output, 1e-12, "output");
        Close(c, res.CN!.Select(0, 0), 1e-12, "c_n");
        res.Output.Mul(up).Sum().Add(res.CN!.Sum()).Backward();
        Close(xr.Grad!, xf.Grad, 1e-10, "input gradient");
        foreach (var (name, prm) in lstm.NamedParameters()) Close(refGrads[name], prm.Grad, 1e-10, name);
    }

    [Test]
    public void DropoutBetweenLayersIsSeededAndOffInEval()
    {
        var x = R(1, DType.Float32, 5, 2, 3);
        LSTM Make(double p) => new(3, 4, numLayers: 3, dropout: p, generator: new Generator(11));
        var a = Make(0.5).Forward(x).ToFloatArray();
        var b = Make(0.5).Forward(x).ToFloatArray();
        Assert.That(a, Is.EqualTo(b), "same seed, same masks");
        var noDrop = Make(0).Forward(x).ToFloatArray();
        Assert.That(a, Is.Not.EqualTo(noDrop), "training mode drops");
        var eval = Make(0.5);
        eval.Eval();
        Assert.That(eval.Forward(x).ToFloatArray(), Is.EqualTo(noDrop), "eval mode = no dropout");
    }

    [Test]
    public void TruncatedBackpropEqualsChunkedRunWithDetachedStates()
    {
        const int T = 6, B = 2, In = 3, H = 4, K = 2;
        var x = R(1, DType.Float64, T, B, In);
        var h0 = R(2, DType.Float64, 2, B, H);
        var up = R(3, DType.Float64, T, B, H);
        var upH = R(4, DType.Float64, 2, B, H);
        GRU Make() => new(In, H, numLayers: 2, generator: new Generator(5), dtype: DType.Float64);

        (Tensor[] Params, Tensor Dx, Tensor Dh0) Grads(GRU m, Func<Tensor, Tensor, (Tensor Out, Tensor HN)> run)
        {
            var xs = x.Detach().RequiresGrad_();
            var hs = h0.Detach().RequiresGrad_();
            var (o, hn) = run(xs, hs);
            o.Mul(up).Sum().Add(hn.Mul(upH).Sum()).Backward();
            return (m.Parameters().Select(p => p.Grad!).ToArray(), xs.Grad!, hs.Grad!);
        }

        var truncated = Make();
        truncated.TruncatedBackpropSteps = K;
        var gT = Grads(truncated, (xs, hs) => { var r = truncated.Forward(xs, hs); return (r.Output, r.HN); });

        var chunked = Make();
        var gC = Grads(chunked, (xs, hs) =>
        {
            var outs = new List<Tensor>();
            var state = hs;
            for (int s = 0; s < T; s += K)
            {
                var r = chunked.Forward(xs.Narrow(0, s, K), s == 0 ? state : state.Detach());
                outs.Add(r.Output);
                state = r.HN;
            }
            return (Tensor.Cat(outs, 0), state);
        });

        var full = Make();
        var gF = Grads(full, (xs, hs) => { var r = full.Forward(xs, hs); return (r.Output, r.HN); });

        Close(gC.Dx, gT.Dx, 1e-12, "input gradient");
        Close(gC.Dh0, gT.Dh0, 1e-12, "h0 gradient");
        for (int i = 0; i < gC.Params.Length; i++) Close(gC.Params[i], gT.Params[i], 1e-12, $"parameter {i}");
        Assert.That(gT.Dh0.ToDoubleArray(), Is.Not.EqualTo(gF.Dh0.ToDoubleArray()), "truncation must change the gradient");
    }

    [Test]
    public void MaskEqualsLengths()
    {
        var gru = new GRU(3, 4, batchFirst: true, bidirectional: true, generator: new Generator(1));
        var x = R(1, DType.Float32, 3, 5, 3);
        var mask = Tensor.FromArray(new float[] { 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0 }, 3, 5);
        var byMask = gru.Forward(x, null, mask: mask);
        var byLengths = gru.Forward(x, null, [3, 5, 1]);
        Assert.That(byMask.Output.ToFloatArray(), Is.EqualTo(byLengths.Output.ToFloatArray()));
        Assert.That(byMask.HN.ToFloatArray(), Is.EqualTo(byLengths.HN.ToFloatArray()));
        var padded = byLengths.Output.Select(0, 2).Narrow(0, 1, 4).ToFloatArray();
        Assert.That(padded, Is.All.EqualTo(0f), "outputs at padded steps are zero");
    }

    [Test]
    public void EmptySequenceKeepsTheInitialState()
    {
        var lstm = new LSTM(3, 4, bidirectional: true, generator: new Generator(2));
        var x = R(1, DType.Float32, 3, 2, 3).RequiresGrad_();
        var h0 = R(2, DType.Float32, 2, 2, 4).RequiresGrad_();
        var c0 = R(3, DType.Float32, 2, 2, 4).RequiresGrad_();
        var r = lstm.Forward(x, h0, c0, [0, 3]);
        for (int d = 0; d < 2; d++)
        {
            Assert.That(r.HN.Select(0, d).Select(0, 0).ToFloatArray(), Is.EqualTo(h0.Select(0, d).Select(0, 0).ToFloatArray()));
            Assert.That(r.CN!.Select(0, d).Select(0, 0).ToFloatArray(), Is.EqualTo(c0.Select(0, d).Select(0, 0).ToFloatArray()));
        }
        Assert.That(r.Output.Select(1, 0).ToFloatArray(), Is.All.EqualTo(0f));
        r.HN.Sum().Add(r.Output.Sum()).Backward();
        Assert.That(h0.Grad!.Select(1, 0).ToFloatArray(), Is.All.EqualTo(1f), "the gradient of h_n reaches h0 unchanged");
        Assert.That(x.Grad!.Select(1, 0).ToFloatArray(), Is.All.EqualTo(0f), "padded inputs get no gradient");
        Assert.That(x.Grad!.Select(1, 1).ToFloatArray(), Is.Not.All.EqualTo(0f));
    }

    [Test]
    public void BadInputThrowsNamingTheArgument()
    {
        var lstm = new LSTM(3, 4, numLayers: 2, generator: new Generator(1));
        var x = R(1, DType.Float32, 5, 2, 3);
        Assert.That(() => lstm.Forward(R(1, DType.Float32, 5, 2, 4)), Throws.ArgumentException.With.Property("ParamName").EqualTo("input"));
        Assert.That(() => lstm.Forward(R(1, DType.Float32, 5, 2, 3, 1)), Throws.ArgumentException.With.Property("ParamName").EqualTo("input"));
        Assert.That(() => lstm.Forward(x, null, null, [5, 6]), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("lengths"));
        Assert.That(() => lstm.Forward(x, null, null, [5, -1]), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("lengths"));
        Assert.That(() => lstm.Forward(x, null, null, [5]), Throws.ArgumentException.With.Property("ParamName").EqualTo("lengths"));
        Assert.That(() => lstm.Forward(x, R(2, DType.Float32, 1, 2, 4), null), Throws.ArgumentException.With.Property("ParamName").EqualTo("h0"));
        Assert.That(() => lstm.Forward(x, null, R(2, DType.Float32, 2, 2, 5)), Throws.ArgumentException.With.Property("ParamName").EqualTo("c0"));
        Assert.That(() => lstm.Forward(x, null, null, mask: Tensor.Ones(2, 5)), Throws.ArgumentException.With.Property("ParamName").EqualTo("mask"));
        Assert.That(() => lstm.Forward(x, null, null, mask: Tensor.FromArray(new float[] { 1, 0, 1, 1, 1, 1, 1, 1, 1, 1 }, 5, 2)),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("mask"));
        Assert.That(() => lstm.Forward(x, null, null, lengths: Tensor.FromArray(new float[] { 1, 2 })), Throws.ArgumentException.With.Property("ParamName").EqualTo("lengths"));
        var cell = new GRUCell(3, 4, generator: new Generator(1));
        Assert.That(() => cell.Forward(R(1, DType.Float32, 2, 3), R(2, DType.Float32, 3, 4)), Throws.ArgumentException.With.Property("ParamName").EqualTo("hx"));
        Assert.That(() => cell.Forward(R(1, DType.Float32, 2, 5)), Throws.ArgumentException.With.Property("ParamName").EqualTo("input"));
        Assert.That(() => lstm.TruncatedBackpropSteps = -1, Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void ParameterNamesAndInitFollowTorch()
    {
        var gru = new GRU(3, 16, numLayers: 2, bidirectional: true, generator: new Generator(1));
        var names = gru.NamedParameters().Select(p => p.Key).ToArray();
        Assert.That(names, Is.EqualTo(new[]
        {
            "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
            "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
            "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1",
            "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse",
        }));
        Assert.That(gru.NamedParameters().First(p => p.Key == "weight_ih_l1").Value.Shape.ToArray(), Is.EqualTo(new[] { 48, 32 }));
        foreach (var p in gru.Parameters()) Assert.That(p.ToFloatArray(), Is.All.InRange(-0.25f, 0.25f));
        var again = new GRU(3, 16, numLayers: 2, bidirectional: true, generator: new Generator(1));
        Assert.That(again.Parameters().First().ToFloatArray(), Is.EqualTo(gru.Parameters().First().ToFloatArray()), "seeded init");
    }
}
