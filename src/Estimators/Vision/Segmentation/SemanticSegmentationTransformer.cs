using System.Text.Json.Nodes;
using MLNetDeep.Data;
using MLNetDeep.Estimators.Vision.Detection;
using MLNetDeep.OnnxExport;
using MLNetDeep.Persistence;
using MLNetDeep.Tensors;

namespace MLNetDeep.Estimators.Vision.Segmentation;

/// <summary>
/// A trained FCN segmenter. Adds the predicted mask (<c>Vector&lt;Int32&gt;</c>, one class id per source pixel,
/// row-major; 0 = background): the arg-max of the network's logits at the input size, resampled to the source size
/// by nearest neighbour. Rows are scored <see cref="ScoringBatchSize"/> at a time. Immutable and thread-safe.
/// </summary>
public sealed class SemanticSegmentationTransformer : ITransformer
{
    /// <summary>Registry name of this component.</summary>
    public const string ComponentName = "SemanticSegmenter";

    /// <summary>Images per forward pass when scoring.</summary>
    public const int ScoringBatchSize = 32;

    /// <summary>Creates the transformer around a trained network.</summary>
    public SemanticSegmentationTransformer(FcnNetwork network, int inputSize, IReadOnlyList<string>? classNames, string imageColumnName = "Image", string predictedMaskColumnName = "PredictedMask")
    {
        ArgumentNullException.ThrowIfNull(network);
        if (inputSize < 8 || inputSize % 8 != 0) throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, "Must be a positive multiple of 8.");
        if (classNames is not null && classNames.Count != network.Classes - 1)
            throw new ArgumentException($"{classNames.Count} class names for {network.Classes - 1} object classes.", nameof(classNames));
        Network = network;
        InputSize = inputSize;
        ClassNames = classNames is null ? null : [.. classNames];
        ImageColumnName = imageColumnName;
        PredictedMaskColumnName = predictedMaskColumnName;
    }

    /// <summary>The trained network (in evaluation mode).</summary>
    public FcnNetwork Network { get; }

    /// <summary>Network input side.</summary>
    public int InputSize { get; }

    /// <summary>Object class names (class id k is <c>ClassNames[k − 1]</c>), or null.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>Input image column.</summary>
    public string ImageColumnName { get; }

    /// <summary>Output mask column.</summary>
    public string PredictedMaskColumnName { get; }

    internal static DataViewSchema ScoredSchema(DataViewSchema input, string mask) =>
        input.With([(mask, new VectorDataViewType(NumberDataViewType.Int32, 0), null)]);

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        VisionColumns.Image(inputSchema, ImageColumnName, ComponentName);
        return ScoredSchema(inputSchema, PredictedMaskColumnName);
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new ColumnScoredView<int[]>(ImageColumnName, ScoringBatchSize, rows => Predict(rows.Select(r => (Tensor)r).ToList()),
            [(PredictedMaskColumnName, mask => mask.Clone())], input, GetOutputSchema(input.Schema));
    }

    /// <summary>The network's logits <c>[batch, classes, S, S]</c> for network-sized images (what the ONNX graph outputs).</summary>
    public Tensor PredictLogits(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        using (Tensor.NoGrad()) return Network.Forward(images);
    }

    /// <summary>Masks at each source image's size (class id per pixel, row-major).</summary>
    public int[][] Predict(IReadOnlyList<Tensor> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0) return [];
        int s = InputSize, c = Network.Classes;
        var logits = PredictLogits(Tensor.Stack(images.Select(im => DetectionBatchReader.ResizeImage(im, s)).ToList())).ToArray<float>();
        var result = new int[images.Count][];
        var small = new int[s * s];
        for (int i = 0; i < images.Count; i++)
        {
            for (int q = 0; q < s * s; q++)
            {
                int best = 0;
                float top = logits[(i * c) * s * s + q];
                for (int k = 1; k < c; k++)
                {
                    float v = logits[(i * c + k) * s * s + q];
                    if (v > top) (top, best) = (v, k);
                }
                small[q] = best;
            }
            int h = images[i].Size(1), w = images[i].Size(2);
            var mask = new int[h * w];
            for (int y = 0; y < h; y++)
            {
                int sy = Math.Min(s - 1, (int)((y + 0.5) * s / h));
                for (int x = 0; x < w; x++) mask[y * w + x] = small[sy * s + Math.Min(s - 1, (int)((x + 0.5) * s / w))];
            }
            result[i] = mask;
        }
        return result;
    }

    /// <summary>Saves the network as ONNX: input <c>image</c> float <c>[batch, 3, S, S]</c>, output <c>logits</c> <c>[batch, classes, S, S]</c>.</summary>
    public void ExportOnnx(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var options = new OnnxExportOptions { OutputNames = ["logits"], GraphName = ComponentName };
        options.ModelInfo.DocString = "MLNetDeep FCN segmenter: per-pixel class logits (0 = background); take the arg-max over axis 1 and resize to the source image.";
        OnnxExporter.Export(Network, path, [OnnxTensorSpec.Float("image", "batch", 3, InputSize, InputSize)], options);
    }

    /// <inheritdoc/>
    public void Save(ModelSaveContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.SetComponent(ComponentName, 1);
        context.Options["imageColumn"] = ImageColumnName;
        context.Options["predictedMaskColumn"] = PredictedMaskColumnName;
        context.Options["inputSize"] = InputSize;
        context.Options["classes"] = Network.Classes;
        context.Options["width"] = Network.Width;
        context.Options["depth"] = Network.Depth;
        if (ClassNames is not null) context.Options["classNames"] = new JsonArray(ClassNames.Select(n => (JsonNode?)JsonValue.Create(n)).ToArray());
        foreach (var (name, t) in Network.StateDict()) context.AddTensor(name, t);
    }

    internal static SemanticSegmentationTransformer Load(ModelLoadContext c)
    {
        c.RequireVersion(1);
        int size = c.GetInt("inputSize"), classes = c.GetInt("classes"), width = c.GetInt("width"), depth = c.GetInt("depth");
        if (size < FcnNetwork.Stride || size % FcnNetwork.Stride != 0 || size > 4096) throw c.Error("inputSize", "must be a multiple of 32 up to 4096.");
        if (classes < 2 || classes > 10_000) throw c.Error("classes", "must be in 2..10000.");
        if (width < 2 || width > 1024) throw c.Error("width", "must be in 2..1024.");
        if (depth < 0 || depth > 16) throw c.Error("depth", "must be in 0..16.");
        var net = new FcnNetwork(classes, width, depth, new Generator(0));
        net.LoadStateDict(c.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value), strict: true);
        net.Eval();
        string[]? names = c.Has("classNames") ? c.GetStringArray("classNames") : null;
        if (names is not null && names.Length != classes - 1) throw c.Error("classNames", $"{names.Length} names for {classes - 1} object classes.");
        return new SemanticSegmentationTransformer(net, size, names, c.GetString("imageColumn"), c.GetString("predictedMaskColumn"));
    }
}
