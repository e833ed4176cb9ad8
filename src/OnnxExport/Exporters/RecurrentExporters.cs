using MLNetDeep.OnnxExport.Schema;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;

namespace MLNetDeep.OnnxExport.Exporters;

/// <summary>
/// Exporters of <see cref="RNN"/>, <see cref="LSTM"/>, <see cref="GRU"/> and their cells as the ONNX RNN/LSTM/GRU
/// operators, one node per layer. Gate blocks are reordered from torch's layout (LSTM i,f,g,o → ONNX
/// i,o,f,c; GRU r,z,n → ONNX z,r,h with linear_before_reset = 1), biases become ONNX's [Wb, Rb],
/// bidirectional layers concatenate their directions, batch-first inputs are transposed. With a second
/// input (int64 lengths [B]), it becomes every layer's sequence_lens.
/// </summary>
public static class RecurrentExporters
{
    /// <summary>Registers them.</summary>
    /// <param name="registry">The registry to fill.</param>
    public static void Register(OnnxExportRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.Register<RNN>(Export);
        registry.Register<LSTM>(Export);
        registry.Register<GRU>(Export);
        registry.Register<RNNCell>(ExportCell);
        registry.Register<LSTMCell>(ExportCell);
        registry.Register<GRUCell>(ExportCell);
    }

    // A cell is a one-step layer: inputs [x] or [x, h] (LSTM: [x, h, c]), x [B, in], states [B, H];
    // outputs [h'] (LSTM: [h', c']).
    private static IReadOnlyList<string> ExportCell(OnnxExportContext ctx, RecurrentCellModule cell, IReadOnlyList<string> inputs)
    {
        bool lstm = cell is LSTMCell;
        int maxInputs = lstm ? 3 : 2;
        if (inputs.Count > 0 && ctx.TryRank(inputs[0]) is int rank && rank != 2)
            throw new OnnxExportException($"{cell.GetType().Name} '{ctx.ModulePath}' is exported for batched [B, in] inputs; the traced input has rank {rank}.", valueName: inputs[0], modulePath: ctx.ModulePath);
        if (inputs.Count < 1 || inputs.Count > maxInputs)
            throw new OnnxExportException($"{cell.GetType().Name} takes 1 to {maxInputs} inputs (x, states), got {inputs.Count}.", modulePath: ctx.ModulePath);
        var (op, order) = cell switch
        {
            LSTMCell => ("LSTM", new[] { 0, 3, 1, 2 }),
            GRUCell => ("GRU", new[] { 1, 0, 2 }),
            _ => ("RNN", new[] { 0 }),
        };
        int hidden = cell.HiddenSize;
        string Step(string v) => ctx.Node("Unsqueeze", [v, ctx.Builder.AddInt64s("axes", 0)]);
        var nodeInputs = new List<string>
        {
            Step(inputs[0]),
            ctx.Initializer("W", Reorder(cell.WeightIh.Detach(), order, hidden).Unsqueeze(0)),
            ctx.Initializer("R", Reorder(cell.WeightHh.Detach(), order, hidden).Unsqueeze(0)),
            cell.BiasIh is null ? "" : ctx.Initializer("B", Tensor.Cat([Reorder(cell.BiasIh.Detach(), order, hidden), Reorder(cell.BiasHh!.Detach(), order, hidden)]).Unsqueeze(0)),
            "",
            inputs.Count > 1 ? Step(inputs[1]) : "",
        };
        if (lstm && inputs.Count > 2) nodeInputs.Add(Step(inputs[2]));
        while (nodeInputs[^1].Length == 0) nodeInputs.RemoveAt(nodeInputs.Count - 1);
        var attrs = new List<AttributeProto> { OnnxAttr.Int("hidden_size", hidden) };
        if (cell is GRUCell) attrs.Add(OnnxAttr.Int("linear_before_reset", 1));
        if (cell is RNNCell { Nonlinearity: RecurrentNonlinearity.Relu }) attrs.Add(new AttributeProto
        {
            Name = "activations",
            Type = AttributeProto.Types.AttributeType.Strings,
            Strings = { Google.Protobuf.ByteString.CopyFromUtf8("Relu") },
        });
        var outs = ctx.Builder.AddNode(op, nodeInputs, lstm ? 3 : 2, attrs, docString: $"{ctx.ModulePath} ({cell.GetType().Name})");
        string Squeeze(string v) => ctx.Node("Squeeze", [v, ctx.Builder.AddInt64s("axes", 0)]);
        var result = lstm ? new[] { Squeeze(outs[1]), Squeeze(outs[2]) } : new[] { Squeeze(outs[1]) };
        if (inputs.All(ctx.HasSample))
        {
            var x = ctx.Sample(inputs[0]);
            Tensor? h = inputs.Count > 1 ? ctx.Sample(inputs[1]) : null;
            switch (cell)
            {
                case LSTMCell l:
                    var (hn, cn) = l.Forward(x, h, inputs.Count > 2 ? ctx.Sample(inputs[2]) : null);
                    ctx.SetSample(result[0], hn);
                    ctx.SetSample(result[1], cn);
                    break;
                case GRUCell g: ctx.SetSample(result[0], g.Forward(x, h)); break;
                case RNNCell r: ctx.SetSample(result[0], r.Forward(x, h)); break;
            }
        }
        return result;
    }

    private static IReadOnlyList<string> Export(OnnxExportContext ctx, RecurrentModule module, IReadOnlyList<string> inputs)
    {
        if (inputs.Count is < 1 or > 2)
            throw new OnnxExportException($"{module.GetType().Name} takes an input and optionally int64 lengths [B], got {inputs.Count} inputs.", modulePath: ctx.ModulePath);
        string x = inputs[0];
        if (ctx.TryRank(x) is int rank && rank != 3)
            throw new OnnxExportException($"{module.GetType().Name} '{ctx.ModulePath}' is exported for batched 3-D inputs; the traced input has rank {rank}.", valueName: x, modulePath: ctx.ModulePath);
        x = Layers(ctx, module, x, inputs.Count == 2 ? inputs[1] : null, null, null, out _, out _);
        if (inputs.Count == 2)
        {
            var lengths = ctx.Sample(inputs[1]);
            var input = ctx.Sample(inputs[0]);
            ctx.SetSample(x, SampleForward(ctx, module, input, null, null, lengths).Output);
        }
        return [x];
    }

    /// <summary>Runs the module on sample tensors (initial states and lengths optional) to trace sample values.</summary>
    private static RecurrentOutput SampleForward(OnnxExportContext ctx, RecurrentModule module, Tensor input, Tensor? h0, Tensor? c0, Tensor? lengths) => module switch
    {
        LSTM lstm => lstm.Forward(input, h0, c0, lengths),
        GRU gru => gru.Forward(input, h0, lengths),
        RNN rnn => rnn.Forward(input, h0, lengths),
        _ => throw new OnnxExportException($"Unknown recurrent module {module.GetType().Name}.", modulePath: ctx.ModulePath),
    };

    /// <summary>
    /// Exports <paramref name="module"/> over <paramref name="x"/> with optional int64 lengths [B] and initial states
    /// [L·D, B, H] (c0: LSTM only), returning the output sequence and the final states [L·D, B, H] (the ONNX
    /// operators' Y_h / Y_c of every layer, concatenated). Samples are set when the inputs have them.
    /// </summary>
    /// <param name="ctx">The export context.</param>
    /// <param name="module">An RNN, LSTM or GRU.</param>
    /// <param name="x">Input sequence value.</param>
    /// <param name="lengths">Lengths value, or null.</param>
    /// <param name="h0">Initial hidden states value, or null (zeros).</param>
    /// <param name="c0">Initial LSTM cell states value, or null (zeros).</param>
    public static (string Output, string HN, string? CN) ExportWithStates(OnnxExportContext ctx, RecurrentModule module, string x, string? lengths, string? h0, string? c0)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(module);
        string y = Layers(ctx, module, x, lengths, h0, c0, out var hn, out var cn);
        string hOut = ctx.Node("Concat", hn, OnnxAttr.Int("axis", 0));
        string? cOut = cn.Count > 0 ? ctx.Node("Concat", cn, OnnxAttr.Int("axis", 0)) : null;
        if (ctx.HasSample(x) && (lengths is null || ctx.HasSample(lengths)) && (h0 is null || ctx.HasSample(h0)) && (c0 is null || ctx.HasSample(c0)))
        {
            var input = ctx.Sample(x);
            var lens = lengths is null ? null : ctx.Sample(lengths);
            Tensor? h = h0 is null ? null : ctx.Sample(h0), c = c0 is null ? null : ctx.Sample(c0);
            var output = SampleForward(ctx, module, input, h, c, lens);
            ctx.SetSample(y, output.Output);
            ctx.SetSample(hOut, output.HN);
            if (cOut is not null) ctx.SetSample(cOut, output.CN!);
        }
        return (y, hOut, cOut);
    }

    private static string Layers(OnnxExportContext ctx, RecurrentModule module, string x, string? lengths, string? h0, string? c0, out List<string> finalH, out List<string> finalC)
    {
        var layout = new RecurrentLayout(module switch { LSTM => "LSTM", GRU => "GRU", _ => "RNN" }, module.NumLayers, module.Bidirectional, module.HiddenSize,
            module.BatchFirst, (module as RNN)?.Nonlinearity);
        var order = GateOrder(layout.Op);
        var parameters = module.NamedParameters().ToDictionary(p => p.Key, p => p.Value.Detach(), StringComparer.Ordinal);
        int dirs = module.Bidirectional ? 2 : 1, hidden = module.HiddenSize;
        LayerWeights Weights(int l)
        {
            var w = new List<Tensor>();
            var r = new List<Tensor>();
            var b = new List<Tensor>();
            var p = new List<Tensor>();
            for (int d = 0; d < dirs; d++)
            {
                string sfx = $"_l{l}" + (d == 1 ? "_reverse" : "");
                w.Add(Reorder(parameters["weight_ih" + sfx], order, hidden));
                r.Add(Reorder(parameters["weight_hh" + sfx], order, hidden));
                if (module.HasBias)
                    b.Add(Tensor.Cat([Reorder(parameters["bias_ih" + sfx], order, hidden), Reorder(parameters["bias_hh" + sfx], order, hidden)]));
                if (parameters.TryGetValue("weight_peephole" + sfx, out var peep))
                    p.Add(Tensor.Cat([peep.Select(0, 0), peep.Select(0, 2), peep.Select(0, 1)])); // engine rows i,f,o → ONNX i,o,f
            }
            return new LayerWeights(ctx.Initializer($"W_l{l}", Tensor.Stack(w)), ctx.Initializer($"R_l{l}", Tensor.Stack(r)),
                b.Count > 0 ? ctx.Initializer($"B_l{l}", Tensor.Stack(b)) : "", p.Count > 0 ? ctx.Initializer($"P_l{l}", Tensor.Stack(p)) : "");
        }
        return Layers(ctx, layout, x, lengths, h0, c0, Weights, out finalH, out finalC);
    }

    /// <summary>The ONNX gate order as indices of the engine's (torch's) gate blocks.</summary>
    /// <param name="op">"LSTM", "GRU" or "RNN".</param>
    internal static int[] GateOrder(string op) => op switch { "LSTM" => [0, 3, 1, 2], "GRU" => [1, 0, 2], _ => [0] };

    /// <summary>
    /// One ONNX RNN/LSTM/GRU node per layer of <paramref name="layout"/> with W, R, B (and LSTM P) from
    /// <paramref name="weights"/> (value names in ONNX's layout and gate order; "" for an omitted input).
    /// </summary>
    internal static string Layers(OnnxExportContext ctx, RecurrentLayout layout, string x, string? lengths, string? h0, string? c0,
        Func<int, LayerWeights> weights, out List<string> finalH, out List<string> finalC)
    {
        finalH = [];
        finalC = [];
        string seqLens = lengths is null ? "" : ctx.Node("Cast", [lengths], OnnxAttr.Int("to", (int)TensorProto.Types.DataType.Int32));
        if (layout.BatchFirst) x = ctx.Node("Transpose", [x], OnnxAttr.Ints("perm", 1, 0, 2));
        string op = layout.Op;
        bool lstm = op == "LSTM";
        int dirs = layout.Bidirectional ? 2 : 1, hidden = layout.HiddenSize;
        for (int l = 0; l < layout.NumLayers; l++)
        {
            var lw = weights(l);
            var nodeInputs = new List<string> { x, lw.W, lw.R, lw.B, seqLens };
            string State(string? all) => all is null ? "" : ctx.Node("Slice", [all, ctx.Builder.AddInt64s("start", l * dirs), ctx.Builder.AddInt64s("end", (l + 1) * dirs), ctx.Builder.AddInt64s("axis0", 0)]);
            nodeInputs.Add(State(h0));
            if (lstm) nodeInputs.Add(State(c0));
            if (lw.P.Length > 0) nodeInputs.Add(lw.P);
            var attrs = new List<AttributeProto>
            {
                OnnxAttr.Int("hidden_size", hidden),
                OnnxAttr.String("direction", dirs == 2 ? "bidirectional" : "forward"),
            };
            if (op == "GRU") attrs.Add(OnnxAttr.Int("linear_before_reset", 1));
            if (layout.Nonlinearity is { } nonlinearity)
            {
                string act = nonlinearity == RecurrentNonlinearity.Relu ? "Relu" : "Tanh";
                attrs.Add(new AttributeProto
                {
                    Name = "activations",
                    Type = AttributeProto.Types.AttributeType.Strings,
                    Strings = { Enumerable.Repeat(Google.Protobuf.ByteString.CopyFromUtf8(act), dirs) },
                });
            }
            // Trim trailing omitted inputs.
            while (nodeInputs[^1].Length == 0) nodeInputs.RemoveAt(nodeInputs.Count - 1);
            var outs = ctx.Builder.AddNode(op, nodeInputs, lstm ? 3 : 2, attrs, docString: $"{ctx.ModulePath} ({op}) layer {l}");
            string y = outs[0];
            finalH.Add(outs[1]);
            if (lstm) finalC.Add(outs[2]);
            // Y is [T, D, B, H] → [T, B, D·H].
            x = dirs == 1
                ? ctx.Node("Squeeze", [y, ctx.Builder.AddInt64s("axes", 1)])
                : ctx.Node("Reshape", [ctx.Node("Transpose", [y], OnnxAttr.Ints("perm", 0, 2, 1, 3)), ctx.Builder.AddInt64s("shape", 0, 0, -1)]);
        }
        if (layout.BatchFirst) x = ctx.Node("Transpose", [x], OnnxAttr.Ints("perm", 1, 0, 2));
        return x;
    }

    // Gate blocks of H rows (or elements) along dim 0, taken in ONNX order.
    private static Tensor Reorder(Tensor t, int[] order, int hidden) =>
        order.Length == 1 ? t.Contiguous() : Tensor.Cat(order.Select(g => t.Narrow(0, g * hidden, hidden)).ToArray());
}
