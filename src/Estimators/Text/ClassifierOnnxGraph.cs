using MLNetDeep.OnnxExport;
using MLNetDeep.Tensors;

namespace MLNetDeep.Estimators.Text;

/// <summary>
/// The ends every key-id classifier exporter shares (<see cref="EmbeddingBagOnnxExporter"/>, the sequence
/// network's): the single key-ids input, and the scoring head that turns logits into the transformer's
/// Score (Softmax) and PredictedLabel (1-based arg-max key).
/// </summary>
internal static class ClassifierOnnxGraph
{
    /// <summary>Checks the exporter's arguments and returns its one input, the key ids.</summary>
    public static string KeyIdsInput(OnnxExportContext ctx, object net, IReadOnlyList<string> inputs, string networkName)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(net);
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count != 1) throw new OnnxExportException($"{networkName} takes one input (key ids), got {inputs.Count}.");
        return inputs[0];
    }

    /// <summary>Softmax over classes (float [rows, classes]) and the arg-max key + 1 (int64 [rows]).</summary>
    public static IReadOnlyList<string> ScoringHead(OnnxExportContext ctx, string logits, int rows, int classes)
    {
        var b = ctx.Builder;
        string score = b.Node("Softmax", [logits], OnnxAttr.Int("axis", 1));
        string best = b.Node("ArgMax", [score], OnnxAttr.Int("axis", 1), OnnxAttr.Int("keepdims", 0));
        string predicted = b.Node("Add", [best, b.AddInt64s("one_key", 1)]);
        ctx.SetSample(score, Tensor.Zeros(rows, classes));
        ctx.SetSample(predicted, Tensor.Zeros([rows], DType.Int64));
        return [score, predicted];
    }
}
