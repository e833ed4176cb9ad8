using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn.Quantized;

namespace MLNetDeep.OnnxExport.Exporters;

/// <summary>
/// Exports a dynamic int8 <see cref="QuantizedRecurrent"/> as the float ONNX RNN/LSTM/GRU nodes of
/// <see cref="RecurrentExporters"/> whose W and R come from per-channel DequantizeLinear of int8 initializers
/// (one per direction, [1, G·H, in], axis 1, gate rows in ONNX order, concatenated over directions); the
/// activations stay float in the graph, so ONNX Runtime computes the float layer with the dequantized weights.
/// </summary>
internal static class QuantizedRecurrentExporter
{
    /// <summary>Inputs: the sequence and optionally int64 lengths [B]; output: the sequence.</summary>
    public static IReadOnlyList<string> Export(OnnxExportContext ctx, QuantizedRecurrent module, IReadOnlyList<string> inputs)
    {
        if (inputs.Count is < 1 or > 2)
            throw new OnnxExportException($"QuantizedRecurrent takes an input and optionally int64 lengths [B], got {inputs.Count} inputs.", modulePath: ctx.ModulePath);
        if (ctx.TryRank(inputs[0]) is int rank && rank != 3)
            throw new OnnxExportException($"QuantizedRecurrent '{ctx.ModulePath}' is exported for batched 3-D inputs; the traced input has rank {rank}.", valueName: inputs[0], modulePath: ctx.ModulePath);
        string op = module.IsLstm ? "LSTM" : module.IsGru ? "GRU" : "RNN";
        var layout = new RecurrentLayout(op, module.NumLayers, module.Bidirectional, module.HiddenSize, module.BatchFirst, module.Nonlinearity);
        var order = RecurrentExporters.GateOrder(op);
        int dirs = module.Bidirectional ? 2 : 1, hidden = module.HiddenSize;
        string Dequantized(IEnumerable<QuantizedLinear> products, string local)
        {
            var parts = products.Select(q =>
                QuantizedExporters.Weights(ctx, Reorder(q.WeightValues, q.InFeatures, order, hidden), Reorder(q.WeightScales, 1, order, hidden),
                    [1, q.OutFeatures, q.InFeatures], 1, local)).ToList();
            return parts.Count == 1 ? parts[0] : ctx.Node("Concat", parts, OnnxAttr.Int("axis", 0));
        }
        LayerWeights Weights(int l)
        {
            var ih = Enumerable.Range(l * dirs, dirs).Select(k => module.InputWeights[k]).ToList();
            var hh = Enumerable.Range(l * dirs, dirs).Select(k => module.HiddenWeights[k]).ToList();
            string b = "";
            if (ih[0].BiasValues is not null)
            {
                var rows = Enumerable.Range(0, dirs).Select(d => Reorder(ih[d].BiasValues!, 1, order, hidden).Concat(Reorder(hh[d].BiasValues!, 1, order, hidden))).SelectMany(v => v).ToArray();
                b = ctx.Initializer($"B_l{l}", Tensor.FromArray(rows, dirs, rows.Length / dirs));
            }
            return new LayerWeights(Dequantized(ih, $"W_l{l}"), Dequantized(hh, $"R_l{l}"), b, "");
        }
        string y = RecurrentExporters.Layers(ctx, layout, inputs[0], inputs.Count == 2 ? inputs[1] : null, null, null, Weights, out _, out _);
        if (inputs.All(ctx.HasSample))
            ctx.SetSample(y, module.Forward(ctx.Sample(inputs[0]), null, null, inputs.Count == 2 ? ctx.Sample(inputs[1]) : null).Output);
        return [y];
    }

    /// <summary>Rows of <paramref name="rowLength"/> values grouped in gate blocks of <paramref name="hidden"/> rows, taken in <paramref name="order"/>.</summary>
    private static T[] Reorder<T>(IReadOnlyList<T> values, int rowLength, int[] order, int hidden)
    {
        int block = hidden * rowLength;
        var result = new T[values.Count];
        for (int g = 0; g < order.Length; g++)
            for (int i = 0; i < block; i++) result[g * block + i] = values[order[g] * block + i];
        return result;
    }
}
