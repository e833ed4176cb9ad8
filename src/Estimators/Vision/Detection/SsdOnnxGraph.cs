using System.Runtime.CompilerServices;
using MLNetDeep.OnnxExport;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;

namespace MLNetDeep.Estimators.Vision.Detection;

/// <summary>
/// The ONNX form of a detector: input <c>image</c> float <c>[batch, 3, S, S]</c> (the image already resized to the
/// network input), outputs <c>boxes</c> float <c>[batch, priors, 4]</c> (decoded x1, y1, x2, y2 in input pixels,
/// the same as <see cref="ObjectDetectionTransformer.PredictRaw"/>) and <c>scores</c> float
/// <c>[batch, priors, classes + 1]</c> (softmax; index 0 = background). Non-maximum suppression is left to the
/// caller (<see cref="NonMaxSuppression"/> in C#). The backbone, the top-down path (Conv, Resize, Add) and the heads reuse the registered layer exporters; the
/// head outputs become Transpose → Reshape → Concat and the decoding Slice/Mul/Add/Clip/Exp with the default boxes
/// as initializers.
/// </summary>
public static class SsdOnnxGraph
{
    /// <summary>Writes the graph of <paramref name="detector"/> to <paramref name="path"/> (atomically).</summary>
    public static void Export(ObjectDetectionTransformer detector, string path)
    {
        ArgumentNullException.ThrowIfNull(detector);
        int s = detector.Network.InputSize;
        var options = new OnnxExportOptions { OutputNames = ["boxes", "scores"], GraphName = "ObjectDetector" };
        options.ModelInfo.DocString = "MLNetDeep SSD detector: boxes are x1,y1,x2,y2 in input pixels per default box; scores are class probabilities (0 = background). Apply class-wise NMS after.";
        OnnxExporter.Export(new SsdInferenceModel(detector.Network, detector.Coder), path, [OnnxTensorSpec.Float("image", "batch", 3, s, s)], options);
    }

    private static IReadOnlyList<string> ExportModel(OnnxExportContext ctx, SsdInferenceModel model, IReadOnlyList<string> inputs)
    {
        if (inputs.Count != 1) throw new OnnxExportException($"The detector takes one input (image), got {inputs.Count}.");
        var net = model.Network;
        var b = ctx.Builder;
        var (stem, stage1, stage2, stage3, stage4, lateral2, lateral1, up, heads) = net.Parts;
        string x = ctx.Export(stem, inputs, "network.stem")[0];
        x = ctx.Export(stage1, [x], "network.stage1")[0];
        string a = ctx.Export(stage2, [x], "network.stage2")[0];
        string bMap = ctx.Export(stage3, [a], "network.stage3")[0];
        string c = ctx.Export(stage4, [bMap], "network.stage4")[0];
        // Top-down path: skip + Resize(Conv1x1(deeper)); the sum has the skip map's shape.
        string TopDown(string skip, string deeper, Conv2d lateral, string name)
        {
            string sum = b.Node("Add", [skip, ctx.Export(up, [ctx.Export(lateral, [deeper], $"network.{name}")[0]], $"network.up_{name}")[0]]);
            ctx.SetSample(sum, ctx.Sample(skip));
            return sum;
        }
        bMap = TopDown(bMap, c, lateral2, "lateral2");
        a = TopDown(a, bMap, lateral1, "lateral1");
        string[] maps = [a, bMap, c];
        string shape = b.AddInt64s("per_prior_shape", 0, -1, net.ValuesPerPrior);
        var parts = new List<string>();
        for (int k = 0; k < 3; k++)
        {
            string h = ctx.Export(heads[k], [maps[k]], $"network.head{k}")[0];
            string t = b.Node("Transpose", [h], OnnxAttr.Ints("perm", 0, 2, 3, 1));
            parts.Add(b.Node("Reshape", [t, shape]));
        }
        string raw = b.Node("Concat", parts, OnnxAttr.Int("axis", 1));
        string axis2 = b.AddInt64s("axis2", 2);
        string Slice(string hint, int start, int end) => b.Node("Slice", [raw, b.AddInt64s(hint + "_start", start), b.AddInt64s(hint + "_end", end), axis2]);
        int p = net.PriorCount;
        var centres = new float[2 * p];
        var sizes = new float[2 * p];
        for (int i = 0; i < p; i++)
        {
            (centres[2 * i], centres[2 * i + 1]) = (net.Priors[4 * i], net.Priors[4 * i + 1]);
            (sizes[2 * i], sizes[2 * i + 1]) = (net.Priors[4 * i + 2], net.Priors[4 * i + 3]);
        }
        string priorCentres = ctx.Initializer("prior_centres", Tensor.FromArray(centres, 1, p, 2));
        string priorSizes = ctx.Initializer("prior_sizes", Tensor.FromArray(sizes, 1, p, 2));
        string centre = b.Node("Add", [b.Node("Mul", [b.Node("Mul", [Slice("dxy", 0, 2), b.AddScalar("center_variance", model.Coder.CenterVariance)]), priorSizes]), priorCentres]);
        string logScale = b.Node("Clip", [b.Node("Mul", [Slice("dwh", 2, 4), b.AddScalar("size_variance", model.Coder.SizeVariance)]),
            b.AddScalar("log_scale_min", -1e30f), b.AddScalar("log_scale_max", SsdBoxCoder.MaxLogScale)]);
        string half = b.Node("Mul", [b.Node("Mul", [b.Node("Exp", [logScale]), priorSizes]), b.AddScalar("half", 0.5f)]);
        string boxes = b.Node("Concat", [b.Node("Sub", [centre, half]), b.Node("Add", [centre, half])], OnnxAttr.Int("axis", 2));
        string scores = b.Node("Softmax", [Slice("logits", 4, net.ValuesPerPrior)], OnnxAttr.Int("axis", 2));
        int batch = ctx.Sample(inputs[0]).Size(0);
        ctx.SetSample(boxes, Tensor.Zeros(batch, p, 4));
        ctx.SetSample(scores, Tensor.Zeros(batch, p, net.Classes + 1));
        return [boxes, scores];
    }

#pragma warning disable CA2255 // registration must happen before any export, as soon as the assembly loads
    [ModuleInitializer]
    internal static void Register() => OnnxExportRegistry.Default.Register<SsdInferenceModel>(ExportModel);
#pragma warning restore CA2255
}

/// <summary>The network with its decoding, as one exportable module (see <see cref="SsdOnnxGraph"/>).</summary>
internal sealed class SsdInferenceModel : Module
{
    public SsdInferenceModel(SsdNetwork network, SsdBoxCoder coder)
    {
        Network = RegisterModule("network", network);
        Coder = coder;
        Eval(); // the exporter restores training mode on models that were training: this one never is
    }

    public SsdNetwork Network { get; }

    public SsdBoxCoder Coder { get; }
}
