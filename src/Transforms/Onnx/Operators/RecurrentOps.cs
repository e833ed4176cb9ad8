using MLNetDeep.Tensors;

namespace MLNetDeep.Onnx.Operators;

/// <summary>
/// ONNX RNN, GRU and LSTM: the input projection X·Wᵀ for all steps is one GEMM (engine MatMul); the
/// recurrence runs per step with its own gate loops (gate orders: LSTM i,o,f,c; GRU z,r,h). Supports
/// directions, sequence_lens, initial states, peepholes, clip, linear_before_reset, layout and the
/// activation list with alpha/beta.
/// </summary>
internal static class RecurrentOps
{
    public static void Register(Dictionary<string, Func<OnnxNode, OnnxKernel>> r)
    {
        r["RNN"] = n => Compile(n, Cell.Rnn);
        r["GRU"] = n => Compile(n, Cell.Gru);
        r["LSTM"] = n => Compile(n, Cell.Lstm);
    }

    private enum Cell { Rnn, Gru, Lstm }

    private static OnnxKernel Compile(OnnxNode n, Cell cell)
    {
        int gates = cell switch { Cell.Rnn => 1, Cell.Gru => 3, _ => 4 };
        string direction = n.Str("direction", "forward");
        int dirs = direction switch
        {
            "forward" or "reverse" => 1,
            "bidirectional" => 2,
            _ => throw n.Error($"direction '{direction}' is not valid."),
        };
        long hidden = n.IntOrNull("hidden_size") ?? -1;
        double clip = n.FloatOrNull("clip") ?? double.PositiveInfinity;
        bool lbr = n.Int("linear_before_reset", 0) != 0;
        bool inputForget = n.Int("input_forget", 0) != 0;
        int layout = (int)n.Int("layout", 0);
        if (layout is not (0 or 1)) throw n.Error($"layout {layout} is not valid.");
        int perDir = cell == Cell.Lstm ? 3 : cell == Cell.Gru ? 2 : 1;
        var names = n.Strings("activations") ?? [];
        var alphas = n.Floats("activation_alpha") ?? [];
        var betas = n.Floats("activation_beta") ?? [];
        if (names.Length != 0 && names.Length != perDir * dirs) throw n.Error($"needs {perDir * dirs} activations, got {names.Length}.");
        var acts = new Func<double, double>[perDir * dirs];
        for (int i = 0; i < acts.Length; i++)
        {
            string name = names.Length > 0 ? names[i] : cell == Cell.Rnn ? "Tanh" : (i % perDir == 0 ? "Sigmoid" : "Tanh");
            acts[i] = Activation(n, name, i < alphas.Length ? alphas[i] : null, i < betas.Length ? betas[i] : null);
        }

        return ins =>
        {
            var xv = ins.In(0, n);
            if (!xv.IsFloat) throw n.RunError($"X must be float, got {xv.ElementType}.");
            var x = xv.Tensor.To(DType.Float64);
            if (x.Rank != 3) throw n.RunError($"X must be 3-D, got {xv}.");
            if (layout == 1) x = x.Transpose(0, 1);
            int seq = x.Size(0), batch = x.Size(1), input = x.Size(2);
            var w = ins.In(1, n).Tensor.To(DType.Float64);
            var rt = ins.In(2, n).Tensor.To(DType.Float64);
            int h = hidden > 0 ? (int)hidden : rt.Rank == 3 ? rt.Size(2) : 0;
            int gh = gates * h;
            if (w.Rank != 3 || w.Size(0) != dirs || w.Size(1) != gh || w.Size(2) != input) throw n.RunError($"W must be [{dirs}, {gh}, {input}].");
            if (rt.Rank != 3 || rt.Size(0) != dirs || rt.Size(1) != gh || rt.Size(2) != h) throw n.RunError($"R must be [{dirs}, {gh}, {h}].");
            double[]? b = Opt(ins, 3, dirs * 2 * gh, n);
            long[]? lens = ins.Opt(4)?.Longs();
            if (lens is not null && (lens.Length != batch || lens.Any(l => l < 0 || l > seq))) throw n.RunError("sequence_lens must have one value in [0, seq] per batch entry.");
            double[]? h0 = Opt(ins, 5, dirs * batch * h, n, layout == 1 ? (batch, dirs, h) : null);
            double[]? c0 = cell == Cell.Lstm ? Opt(ins, 6, dirs * batch * h, n, layout == 1 ? (batch, dirs, h) : null) : null;
            double[]? p = cell == Cell.Lstm ? Opt(ins, 7, dirs * 3 * h, n) : null;

            var y = new double[seq * dirs * batch * h];
            var yh = new double[dirs * batch * h];
            var yc = new double[dirs * batch * h];
            var xs = x.Contiguous().Reshape(seq * batch, input);
            for (int d = 0; d < dirs; d++)
            {
                // X·Wᵀ for every step at once: [seq·batch, gates·h].
                var xw = xs.MatMul(w.Select(0, d).Transpose(0, 1)).Contiguous().ToDoubleArray();
                var r = rt.Select(0, d).Contiguous().ToDoubleArray();
                bool reverse = direction == "reverse" || d == 1;
                var f = acts[d * perDir];
                var g = perDir > 1 ? acts[d * perDir + 1] : f;
                var hAct = perDir > 2 ? acts[d * perDir + 2] : g;
                var hs = new double[batch * h];
                var cs = new double[batch * h];
                if (h0 is not null) Array.Copy(h0, d * batch * h, hs, 0, batch * h);
                if (c0 is not null) Array.Copy(c0, d * batch * h, cs, 0, batch * h);
                var pre = new double[gh];
                var hr = new double[gh];
                var next = new double[h];
                for (int bi = 0; bi < batch; bi++)
                {
                    int len = lens is null ? seq : (int)lens[bi];
                    for (int s = 0; s < len; s++)
                    {
                        int t = reverse ? len - 1 - s : s;
                        var hp = hs.AsSpan(bi * h, h);
                        var cp = cs.AsSpan(bi * h, h);
                        for (int k = 0; k < gh; k++)
                        {
                            double wb = b is null ? 0 : b[d * 2 * gh + k];
                            double rb = b is null ? 0 : b[d * 2 * gh + gh + k];
                            pre[k] = xw[(t * batch + bi) * gh + k] + wb;
                            double acc = 0;
                            for (int j = 0; j < h; j++) acc += hp[j] * r[k * h + j];
                            hr[k] = acc + rb;
                        }
                        switch (cell)
                        {
                            case Cell.Rnn:
                                for (int k = 0; k < h; k++) next[k] = f(Clip(pre[k] + hr[k], clip));
                                break;
                            case Cell.Gru:
                                for (int k = 0; k < h; k++)
                                {
                                    double z = f(Clip(pre[k] + hr[k], clip));
                                    double rr = f(Clip(pre[h + k] + hr[h + k], clip));
                                    double cand;
                                    if (lbr) cand = g(Clip(pre[2 * h + k] + rr * hr[2 * h + k], clip));
                                    else
                                    {
                                        double acc = 0;
                                        for (int j = 0; j < h; j++) acc += rr_j(hs, bi, h, j, pre, hr, f, clip) * r[(2 * h + k) * h + j];
                                        double rb = b is null ? 0 : b[d * 2 * gh + gh + 2 * h + k];
                                        cand = g(Clip(pre[2 * h + k] + acc + rb, clip));
                                    }
                                    next[k] = (1 - z) * cand + z * hp[k];
                                }
                                break;
                            default:
                                for (int k = 0; k < h; k++)
                                {
                                    double pi = p is null ? 0 : p[d * 3 * h + k], po = p is null ? 0 : p[d * 3 * h + h + k], pf = p is null ? 0 : p[d * 3 * h + 2 * h + k];
                                    double ig = f(Clip(pre[k] + hr[k] + pi * cp[k], clip));
                                    double fg = inputForget ? 1 - ig : f(Clip(pre[2 * h + k] + hr[2 * h + k] + pf * cp[k], clip));
                                    double cc = g(Clip(pre[3 * h + k] + hr[3 * h + k], clip));
                                    double c = fg * cp[k] + ig * cc;
                                    double og = f(Clip(pre[h + k] + hr[h + k] + po * c, clip));
                                    cp[k] = c;
                                    next[k] = og * hAct(c);
                                }
                                break;
                        }
                        next.CopyTo(hp);
                        Array.Copy(next, 0, y, ((t * dirs + d) * batch + bi) * h, h);
                    }
                }
                Array.Copy(hs, 0, yh, d * batch * h, batch * h);
                Array.Copy(cs, 0, yc, d * batch * h, batch * h);
            }

            var type = xv.ElementType;
            OnnxValue Out(double[] data, int[] shape, int[]? perm)
            {
                var t = Make.T(data, shape);
                if (perm is not null) t = t.Permute(perm).Contiguous();
                return OpUtil.FromDoubles(t.ToDoubleArray(), t.Shape.ToArray(), type);
            }
            var yOut = Out(y, [seq, dirs, batch, h], layout == 1 ? [2, 0, 1, 3] : null);
            var hOut = Out(yh, [dirs, batch, h], layout == 1 ? [1, 0, 2] : null);
            var cOut = Out(yc, [dirs, batch, h], layout == 1 ? [1, 0, 2] : null);
            return cell == Cell.Lstm ? [yOut, hOut, cOut] : [yOut, hOut];
        };
    }

    // r_t ⊙ H_{t−1} at position j (GRU without linear_before_reset): the reset gate of unit j.
    private static double rr_j(double[] hs, int bi, int h, int j, double[] pre, double[] hr, Func<double, double> f, double clip) =>
        f(Clip(pre[h + j] + hr[h + j], clip)) * hs[bi * h + j];

    private static double Clip(double v, double c) => v < -c ? -c : v > c ? c : v;

    private static double[]? Opt(OnnxValue?[] ins, int i, int count, OnnxNode n, (int B, int D, int H)? batchFirst = null)
    {
        if (ins.Opt(i) is not { } v) return null;
        if (v.Tensor.Numel != count) throw n.RunError($"input {i} must have {count} elements, got {v}.");
        var t = v.Tensor.To(DType.Float64);
        if (batchFirst is { } s) t = t.Reshape(s.B, s.D, s.H).Transpose(0, 1);
        return t.Contiguous().ToDoubleArray();
    }

    private static Func<double, double> Activation(OnnxNode n, string name, float? alpha, float? beta)
    {
        double a = alpha ?? double.NaN, b = beta ?? double.NaN;
        double A(double def) => double.IsNaN(a) ? def : a;
        double B(double def) => double.IsNaN(b) ? def : b;
        return name switch
        {
            "Sigmoid" => v => 1 / (1 + Math.Exp(-v)),
            "Tanh" => Math.Tanh,
            "Relu" => v => Math.Max(v, 0),
            "Affine" => v => A(1) * v + B(0),
            "LeakyRelu" => v => v >= 0 ? v : A(0.01) * v,
            "ThresholdedRelu" => v => v > A(1) ? v : 0,
            "ScaledTanh" => v => A(1) * Math.Tanh(B(1) * v),
            "HardSigmoid" => v => Math.Clamp(A(0.2) * v + B(0.5), 0, 1),
            "Elu" => v => v >= 0 ? v : A(1) * (Math.Exp(v) - 1),
            "Softsign" => v => v / (1 + Math.Abs(v)),
            "Softplus" => v => Math.Log(1 + Math.Exp(v)),
            _ => throw n.Error($"activation '{name}' is not supported."),
        };
    }
}
