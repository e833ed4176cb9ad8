using System.Runtime.CompilerServices;
using MLNetDeep.Estimators.Text;
using MLNetDeep.OnnxExport;
using MLNetDeep.Tensors;

namespace MLNetDeep.Estimators.Vision;

/// <summary>
/// ONNX export of <see cref="ImageScoringGraph"/>, registered in <see cref="OnnxExportRegistry.Default"/>. Input:
/// float [batch, C·H·W] (the image column). Outputs: class probabilities float [batch, classes] and the predicted
/// key (1-based, int64 [batch]), as the transformer's Score and PredictedLabel. The network in between is exported
/// through the registry, so any network of exportable modules (including compressed ones) works.
/// </summary>
public static class ImageScoringGraphOnnxExporter
{
    /// <summary>Writes the graph (see the class summary).</summary>
    /// <param name="ctx">The export context.</param>
    /// <param name="graph">The scoring graph.</param>
    /// <param name="inputs">One input: the flat images.</param>
    public static IReadOnlyList<string> Export(OnnxExportContext ctx, ImageScoringGraph graph, IReadOnlyList<string> inputs)
    {
        string flat = ClassifierOnnxGraph.KeyIdsInput(ctx, graph, inputs, "ImageClassifier");
        var s = graph.InputShape;
        string images = ctx.Builder.Node("Reshape", [flat, ctx.Builder.AddInt64s("image_shape", -1, s[0], s[1], s[2])]);
        int batch = ctx.Sample(flat).Size(0);
        ctx.SetSample(images, ctx.Sample(flat).Reshape(batch, s[0], s[1], s[2]));
        string logits = ctx.Export(graph.Network, [images])[0];
        return ClassifierOnnxGraph.ScoringHead(ctx, logits, batch, graph.Classes);
    }

#pragma warning disable CA2255 // registration must happen before any export, as soon as the assembly loads
    [ModuleInitializer]
    internal static void Register() => OnnxExportRegistry.Default.Register<ImageScoringGraph>(Export);
#pragma warning restore CA2255
}
