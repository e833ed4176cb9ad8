using System.Runtime.CompilerServices;
using MLNetDeep.OnnxExport;
using MLNetDeep.OnnxExport.Exporters;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;

namespace MLNetDeep.Estimators.Translation;

/// <summary>The encoder half of a <see cref="Seq2SeqNetwork"/> as an exportable module (see <see cref="Seq2SeqOnnxExport"/>).</summary>
public sealed class Seq2SeqEncoderGraph : Module
{
    /// <summary>Wraps the network (its parameters are registered under "net").</summary>
    public Seq2SeqEncoderGraph(Seq2SeqNetwork network) => Network = RegisterModule("net", network ?? throw new ArgumentNullException(nameof(network)));

    /// <summary>The wrapped network.</summary>
    public Seq2SeqNetwork Network { get; }
}

/// <summary>One decoder step of a <see cref="Seq2SeqNetwork"/> as an exportable module (see <see cref="Seq2SeqOnnxExport"/>).</summary>
public sealed class Seq2SeqDecoderStepGraph : Module
{
    /// <summary>Wraps the network (its parameters are registered under "net").</summary>
    public Seq2SeqDecoderStepGraph(Seq2SeqNetwork network) => Network = RegisterModule("net", network ?? throw new ArgumentNullException(nameof(network)));

    /// <summary>The wrapped network.</summary>
    public Seq2SeqNetwork Network { get; }
}

/// <summary>
/// ONNX export of a translator as two graphs driven by a small decoding loop (see docs/translation.md):
/// <list type="bullet">
/// <item><b>encoder</b>: source_ids int64 [S, B] (time-major, 0-padded; ids from the source vocabulary) and
/// lengths int64 [B] (≥ 1) → keys float [B, S, H], mask float [B, 1, S] (0 / −1e9 at padding), h [L, B, H]
/// (and c for LSTM).</item>
/// <item><b>decoder step</b>: token int64 [1, B] (the previous target id; &lt;s&gt; = 1 first), h (c), keys, mask →
/// log_probs float [B, 1, V] and the new h (c).</item>
/// </list>
/// Greedy decoding: feed argmax(log_probs) back as token until &lt;/s&gt; (id 2).
/// </summary>
public static class Seq2SeqOnnxExport
{
    /// <summary>Writes the encoder and decoder-step graphs of <paramref name="network"/>.</summary>
    /// <param name="network">A trained network.</param>
    /// <param name="encoderPath">Encoder .onnx file.</param>
    /// <param name="decoderPath">Decoder-step .onnx file.</param>
    public static void Export(Seq2SeqNetwork network, string encoderPath, string decoderPath)
    {
        ArgumentNullException.ThrowIfNull(network);
        bool lstm = network.Shape.Cell == Seq2SeqCell.Lstm;
        int l = network.Shape.Layers, h = network.Shape.HiddenSize, b = 3, s = 7;
        var ids = Tensor.FromArray(Enumerable.Range(0, s * b).Select(i => (long)(4 + i % Math.Max(1, network.Shape.SourceVocabulary - 4))).ToArray(), s, b);
        var lengths = Tensor.FromArray(new long[] { s, 4, 1 });
        var encoderOptions = new OnnxExportOptions { OutputNames = lstm ? ["keys", "mask", "h", "c"] : ["keys", "mask", "h"] };
        OnnxExporter.Export(new Seq2SeqEncoderGraph(network), encoderPath,
        [
            new OnnxTensorSpec("source_ids", DType.Int64, [OnnxDim.Dynamic("source", s), OnnxDim.Dynamic("batch", b)]) { Example = ids },
            new OnnxTensorSpec("lengths", DType.Int64, [OnnxDim.Dynamic("batch", b)]) { Example = lengths },
        ], encoderOptions);

        var (memory, state) = network.Encode(ids, [s, 4, 1]);
        var inputs = new List<OnnxTensorSpec>
        {
            new("token", DType.Int64, [1, OnnxDim.Dynamic("batch", b)]) { Example = Tensor.FromArray(new long[] { 1, 5, 6 }, 1, b) },
            new("h", DType.Float32, [l, OnnxDim.Dynamic("batch", b), h]) { Example = state.H },
        };
        if (lstm) inputs.Add(new OnnxTensorSpec("c", DType.Float32, [l, OnnxDim.Dynamic("batch", b), h]) { Example = state.C });
        inputs.Add(new OnnxTensorSpec("keys", DType.Float32, [OnnxDim.Dynamic("batch", b), OnnxDim.Dynamic("source", s), h]) { Example = memory.Keys });
        inputs.Add(new OnnxTensorSpec("mask", DType.Float32, [OnnxDim.Dynamic("batch", b), 1, OnnxDim.Dynamic("source", s)]) { Example = memory.Mask });
        var decoderOptions = new OnnxExportOptions { OutputNames = lstm ? ["log_probs", "h_out", "c_out"] : ["log_probs", "h_out"] };
        OnnxExporter.Export(new Seq2SeqDecoderStepGraph(network), decoderPath, inputs, decoderOptions);
    }

    private static IReadOnlyList<string> ExportEncoder(OnnxExportContext ctx, Seq2SeqEncoderGraph graph, IReadOnlyList<string> inputs)
    {
        if (inputs.Count != 2) throw new OnnxExportException($"The Seq2Seq encoder takes [source_ids, lengths], got {inputs.Count} inputs.");
        var net = graph.Network;
        int h = net.Shape.HiddenSize, l = net.Shape.Layers;
        string ids = inputs[0], lengths = inputs[1];
        string emb = ctx.Export(net.SourceEmbedding, [ids])[0];
        var (y, hn, cn) = RecurrentExporters.ExportWithStates(ctx, net.Encoder, emb, lengths, null, null);
        var b = ctx.Builder;
        if (net.Shape.Bidirectional)
        {
            string axis2 = b.AddInt64s("axis2", 2);
            y = ctx.Node("Add", [ctx.Node("Slice", [y, b.AddInt64s("s0", 0), b.AddInt64s("sH", h), axis2]), ctx.Node("Slice", [y, b.AddInt64s("sH", h), b.AddInt64s("s2H", 2 * h), axis2])]);
            string SumDirections(string states) =>
                ctx.Node("ReduceSum", [ctx.Node("Reshape", [states, b.AddInt64s("shape", l, 2, -1, h)]), b.AddInt64s("axis1", 1)], OnnxAttr.Int("keepdims", 0));
            hn = SumDirections(hn);
            cn = cn is null ? null : SumDirections(cn);
        }
        string keys = ctx.Node("Transpose", [y], OnnxAttr.Ints("perm", 1, 0, 2));
        string steps = ctx.Node("Squeeze", [ctx.Node("Slice", [ctx.Node("Shape", [ids]), b.AddInt64s("s0", 0), b.AddInt64s("s1", 1)]), b.AddInt64s("axis0", 0)]);
        string positions = ctx.Node("Range", [b.AddConstant("zero", Tensor.Scalar(0L, DType.Int64)), steps, b.AddConstant("one", Tensor.Scalar(1L, DType.Int64))]);
        string valid = ctx.Node("Less", [ctx.Node("Unsqueeze", [positions, b.AddInt64s("axis0", 0)]), ctx.Node("Unsqueeze", [lengths, b.AddInt64s("axis1", 1)])]);
        string mask = ctx.Node("Unsqueeze", [ctx.Node("Where", [valid, b.AddScalar("zero_f", 0f), b.AddScalar("neg", -1e9f)]), b.AddInt64s("axis1", 1)]);
        var (memory, state) = net.Encode(ctx.Sample(ids), Array.ConvertAll(ctx.Sample(lengths).ToArray<long>(), v => (int)v));
        ctx.SetSample(keys, memory.Keys);
        ctx.SetSample(mask, memory.Mask);
        ctx.SetSample(hn, state.H);
        if (cn is not null) ctx.SetSample(cn, state.C!);
        return cn is null ? [keys, mask, hn] : [keys, mask, hn, cn];
    }

    private static IReadOnlyList<string> ExportDecoderStep(OnnxExportContext ctx, Seq2SeqDecoderStepGraph graph, IReadOnlyList<string> inputs)
    {
        var net = graph.Network;
        bool lstm = net.Shape.Cell == Seq2SeqCell.Lstm;
        if (inputs.Count != (lstm ? 5 : 4)) throw new OnnxExportException($"The Seq2Seq decoder step takes [token, h{(lstm ? ", c" : "")}, keys, mask], got {inputs.Count} inputs.");
        string token = inputs[0], h0 = inputs[1];
        string? c0 = lstm ? inputs[2] : null;
        string keys = inputs[^2], mask = inputs[^1];
        var b = ctx.Builder;
        string emb = ctx.Export(net.TargetEmbedding, [token])[0];
        var (y, hn, cn) = RecurrentExporters.ExportWithStates(ctx, net.Decoder, emb, null, h0, c0);
        string q = ctx.Node("Transpose", [y], OnnxAttr.Ints("perm", 1, 0, 2));
        ctx.SetSample(q, ctx.Sample(y).Transpose(0, 1).Contiguous());
        string features = q;
        if (net.Combine is not null)
        {
            string keysT = ctx.Node("Transpose", [keys], OnnxAttr.Ints("perm", 0, 2, 1));
            string scores;
            if (net.Additive is { } add)
            {
                string qp = ctx.Node("Unsqueeze", [ctx.Export(add.QueryProj, [q])[0], b.AddInt64s("axis2", 2)]);
                string kp = ctx.Node("Unsqueeze", [ctx.Export(add.KeyProj, [keys])[0], b.AddInt64s("axis1", 1)]);
                string energy = ctx.Node("Tanh", [ctx.Node("Add", [qp, kp])]);
                ctx.SetSample(energy, add.QueryProj.Forward(ctx.Sample(q)).Unsqueeze(2).Add(add.KeyProj.Forward(ctx.Sample(keys)).Unsqueeze(1)).Tanh());
                scores = ctx.Node("Squeeze", [ctx.Export(add.Energy, [energy])[0], b.AddInt64s("last", -1)]);
            }
            else
            {
                string query = net.Luong!.Attn is { } attn ? ctx.Export(attn, [q])[0] : q;
                scores = ctx.Node("MatMul", [query, keysT]);
            }
            string weights = ctx.Node("Softmax", [ctx.Node("Add", [scores, mask])], OnnxAttr.Int("axis", -1));
            string context = ctx.Node("MatMul", [weights, keys]);
            string joined = ctx.Node("Concat", [context, q], OnnxAttr.Int("axis", -1));
            ctx.SetSample(joined, Joined(net, ctx.Sample(q), ctx.Sample(keys), ctx.Sample(mask)));
            features = ctx.Node("Tanh", [ctx.Export(net.Combine, [joined])[0]]);
            ctx.SetSample(features, net.Combine.Forward(ctx.Sample(joined)).Tanh());
        }
        string logits = ctx.Export(net.Output, [features])[0];
        string logProbs = ctx.Node("LogSoftmax", [logits], OnnxAttr.Int("axis", -1));
        ctx.SetSample(logProbs, F.LogSoftmax(ctx.Sample(logits), -1));
        return cn is null ? [logProbs, hn] : [logProbs, hn, cn];
    }

    /// <summary>[context; q] for the samples, with the network's own attention math.</summary>
    private static Tensor Joined(Seq2SeqNetwork net, Tensor q, Tensor keys, Tensor mask)
    {
        Tensor scores = net.Additive is { } add
            ? add.Energy.Forward(add.QueryProj.Forward(q).Unsqueeze(2).Add(add.KeyProj.Forward(keys).Unsqueeze(1)).Tanh()).Squeeze(-1)
            : (net.Luong!.Attn is { } attn ? attn.Forward(q) : q).MatMul(keys.Transpose(1, 2));
        var context = F.Softmax(scores.Add(mask), -1).MatMul(keys);
        return Tensor.Cat([context, q], -1);
    }

#pragma warning disable CA2255 // registration must happen before any export, as soon as the assembly loads
    [ModuleInitializer]
    internal static void Register()
    {
        OnnxExportRegistry.Default.Register<Seq2SeqEncoderGraph>(ExportEncoder);
        OnnxExportRegistry.Default.Register<Seq2SeqDecoderStepGraph>(ExportDecoderStep);
    }
#pragma warning restore CA2255
}
