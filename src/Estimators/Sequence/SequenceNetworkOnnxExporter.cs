using System.Runtime.CompilerServices;
using MLNetDeep.Estimators.Text;
using MLNetDeep.OnnxExport;
using MLNetDeep.Tensors;

namespace MLNetDeep.Estimators.Sequence;

/// <summary>
/// ONNX export of <see cref="SequenceNetwork"/> with its scoring head, registered in
/// <see cref="OnnxExportRegistry.Default"/>. Input: key ids int64 [batch, sequence], right-padded with 0.
/// Lengths are derived in the graph as in <see cref="SequenceBatch"/> (last non-zero position + 1, at least
/// 1) and become the recurrent layers' sequence_lens; pooling uses masks built from them (Range, Less,
/// Equal). Outputs: probabilities float [batch, outputs] and the arg-max key (1-based) int64 [batch].
/// </summary>
public static class SequenceNetworkOnnxExporter
{
    /// <summary>Writes the graph (see the class summary).</summary>
    /// <param name="ctx">The export context.</param>
    /// <param name="net">The network.</param>
    /// <param name="inputs">One input: the key ids.</param>
    public static IReadOnlyList<string> Export(OnnxExportContext ctx, SequenceNetwork net, IReadOnlyList<string> inputs)
    {
        string ids = ClassifierOnnxGraph.KeyIdsInput(ctx, net, inputs, "SequenceNetwork");
        var b = ctx.Builder;
        var sample = ctx.Sample(ids);
        var ids64 = sample.ToArray<long>();
        int rows = sample.Size(0), width = sample.Size(1);
        var batch = SequenceBatch.FromKeys(Enumerable.Range(0, rows).Select(r => Array.ConvertAll(ids64[(r * width)..((r + 1) * width)], v => (uint)v)).ToArray());
        var (embeddedSample, outputsSample, pooledSample) = net.Trace(batch);

        string F(string v) => b.Node("Cast", [v], OnnxAttr.Int("to", 1));
        string Unsq(string v, long axis) => b.Node("Unsqueeze", [v, b.AddInt64s("axis", axis)]);
        string steps = b.Node("Gather", [b.Node("Shape", [ids]), b.AddConstant("one_index", Tensor.FromArray(new long[] { 1 }, []))], OnnxAttr.Int("axis", 0));
        string pos = F(b.Node("Range", [b.AddConstant("zero_i64", Tensor.FromArray(new long[] { 0 }, [])), steps, b.AddConstant("one_i64", Tensor.FromArray(new long[] { 1 }, []))]));
        string present = F(b.Node("Greater", [ids, b.AddInt64s("zero", 0)]));
        string one = b.AddScalar("one", 1f);
        string rank = b.Node("Mul", [present, b.Node("Add", [pos, one])]);
        string lengthF = b.Node("Clip", [b.Node("ReduceMax", [rank], OnnxAttr.Ints("axes", 1), OnnxAttr.Int("keepdims", 0)), one]);
        string lengths = b.Node("Cast", [lengthF], OnnxAttr.Int("to", 7));
        ctx.SetSample(lengths, Tensor.FromArray(Array.ConvertAll(batch.Lengths, l => (long)l), rows));

        string table = ctx.Initializer("embedding.weight", net.Embedding.Weight.Detach());
        string embedded = b.Node("Gather", [table, ids], OnnxAttr.Int("axis", 0));
        ctx.SetSample(embedded, embeddedSample.Detach());
        string y = ctx.Export(net.Recurrent, [embedded, lengths], "recurrent")[0];
        ctx.SetSample(y, outputsSample.Detach());

        string lengthCol = Unsq(lengthF, 1);
        string mask = F(b.Node("Less", [pos, lengthCol]));
        string Weighted(string v, string w) => b.Node("ReduceSum", [b.Node("Mul", [v, Unsq(w, 2)]), b.AddInt64s("axis", 1)], OnnxAttr.Int("keepdims", 0));
        string penalty() => b.Node("Mul", [b.Node("Sub", [mask, one]), b.AddScalar("penalty", SequenceNetwork.MaskPenalty)]);
        string pooled;
        switch (net.Pooling)
        {
            case SequencePooling.Last:
                string last = F(b.Node("Equal", [pos, b.Node("Sub", [lengthCol, one])]));
                if (!net.Recurrent.Bidirectional) { pooled = Weighted(y, last); break; }
                long h = net.Recurrent.HiddenSize;
                string Part(long from) => b.Node("Slice", [y, b.AddInt64s("start", from), b.AddInt64s("end", from + h), b.AddInt64s("axis", 2)]);
                string first = Unsq(F(b.Node("Equal", [pos, b.AddScalar("zero_f", 0f)])), 0);
                pooled = b.Node("Concat", [Weighted(Part(0), last), Weighted(Part(h), first)], OnnxAttr.Int("axis", 1));
                break;
            case SequencePooling.Mean:
                pooled = b.Node("Div", [Weighted(y, mask), lengthCol]);
                break;
            case SequencePooling.Max:
                pooled = b.Node("ReduceMax", [b.Node("Add", [y, Unsq(penalty(), 2)])], OnnxAttr.Ints("axes", 1), OnnxAttr.Int("keepdims", 0));
                break;
            default:
                string scores = ctx.Export(net.Attention!, [y], "attention")[0];
                string masked = b.Node("Add", [b.Node("Squeeze", [scores, b.AddInt64s("axis", 2)]), penalty()]);
                pooled = Weighted(y, b.Node("Softmax", [masked], OnnxAttr.Int("axis", 1)));
                break;
        }
        ctx.SetSample(pooled, pooledSample.Detach());
        string logits = ctx.Export(net.Head, [pooled], "head")[0];
        return ClassifierOnnxGraph.ScoringHead(ctx, logits, rows, net.Outputs);
    }

#pragma warning disable CA2255 // registration must happen before any export, as soon as the assembly loads
    [ModuleInitializer]
    internal static void Register() => OnnxExportRegistry.Default.Register<SequenceNetwork>(Export);
#pragma warning restore CA2255
}
