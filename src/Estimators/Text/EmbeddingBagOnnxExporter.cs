using System.Runtime.CompilerServices;
using MLNetDeep.OnnxExport;
using MLNetDeep.Tensors;

namespace MLNetDeep.Estimators.Text;

/// <summary>
/// ONNX export of <see cref="EmbeddingBagClassifier"/> with its scoring head, registered in
/// <see cref="OnnxExportRegistry.Default"/>. Input: key ids int64 [batch, sequence] (1-based keys as the
/// vocabulary assigns them; 0 = unknown or padding, skipped). Outputs: class probabilities float [batch,
/// classes] and the predicted key (1-based, int64 [batch]), as the transformer's Score and PredictedLabel.
/// The embedding table gets a zero row in front so key k gathers row k-1 of the trained table and key 0 a
/// zero vector; the mean divides by the number of non-zero keys (at least 1).
/// </summary>
public static class EmbeddingBagOnnxExporter
{
    /// <summary>Writes the graph (see the class summary).</summary>
    /// <param name="ctx">The export context.</param>
    /// <param name="net">The network.</param>
    /// <param name="inputs">One input: the key ids.</param>
    public static IReadOnlyList<string> Export(OnnxExportContext ctx, EmbeddingBagClassifier net, IReadOnlyList<string> inputs)
    {
        string ids = ClassifierOnnxGraph.KeyIdsInput(ctx, net, inputs, "EmbeddingBagClassifier");
        var b = ctx.Builder;
        var weight = net.Embedding.Weight.Detach();
        var padded = Tensor.Cat([Tensor.Zeros(1, net.Embedding.EmbeddingDim), weight], 0);
        string table = ctx.Initializer("embedding.weight_with_zero_row", padded);
        string gathered = b.Node("Gather", [table, ids], OnnxAttr.Int("axis", 0));
        string axis1 = b.AddInt64s("axis1", 1);
        string sum = b.Node("ReduceSum", [gathered, axis1], OnnxAttr.Int("keepdims", 0));
        string present = b.Node("Greater", [ids, b.AddInt64s("zero", 0)]);
        string mask = b.Node("Cast", [present], OnnxAttr.Int("to", 1));
        string count = b.Node("ReduceSum", [mask, axis1], OnnxAttr.Int("keepdims", 1));
        string denominator = b.Node("Clip", [count, b.AddScalar("one", 1f)]);
        string mean = b.Node("Div", [sum, denominator]);
        int batch = ctx.Sample(ids).Size(0);
        ctx.SetSample(mean, Tensor.Zeros(batch, net.Embedding.EmbeddingDim));
        string logits = ctx.Export(net.Mlp, [mean])[0];
        return ClassifierOnnxGraph.ScoringHead(ctx, logits, batch, net.Classes);
    }

#pragma warning disable CA2255 // registration must happen before any export, as soon as the assembly loads
    [ModuleInitializer]
    internal static void Register() => OnnxExportRegistry.Default.Register<EmbeddingBagClassifier>(Export);
#pragma warning restore CA2255
}
