using System.Text.Json.Nodes;
using MLNetDeep.Data;
using MLNetDeep.Persistence;
using MLNetDeep.Tensors;

namespace MLNetDeep.Estimators.Vision.Detection;

/// <summary>
/// A trained SSD detector. Adds three columns: the predicted boxes (<c>BoundingBoxes</c> in source-image pixels,
/// each with its class key id and score), their key ids (<c>Vector&lt;Key&gt;</c>) and their scores
/// (<c>Vector&lt;Single&gt;</c>), after class-wise non-maximum suppression. Rows are scored
/// <see cref="ScoringBatchSize"/> at a time. Immutable and thread-safe.
/// </summary>
public sealed class ObjectDetectionTransformer : ITransformer
{
    /// <summary>Registry name of this component.</summary>
    public const string ComponentName = "ObjectDetector";

    /// <summary>Images per forward pass when scoring.</summary>
    public const int ScoringBatchSize = 32;

    /// <summary>Creates the transformer around a trained network.</summary>
    public ObjectDetectionTransformer(SsdNetwork network, NonMaxSuppression nms, IReadOnlyList<string>? classNames, string imageColumnName = "Image",
        string predictedBoxesColumnName = "PredictedBoxes", string predictedLabelsColumnName = "PredictedLabels", string predictedScoresColumnName = "PredictedScores")
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(nms);
        if (classNames is not null && classNames.Count != network.Classes)
            throw new ArgumentException($"{classNames.Count} class names for {network.Classes} classes.", nameof(classNames));
        Network = network;
        Nms = nms;
        ClassNames = classNames is null ? null : [.. classNames];
        ImageColumnName = imageColumnName;
        PredictedBoxesColumnName = predictedBoxesColumnName;
        PredictedLabelsColumnName = predictedLabelsColumnName;
        PredictedScoresColumnName = predictedScoresColumnName;
        Coder = new SsdBoxCoder();
    }

    /// <summary>The trained network (in evaluation mode).</summary>
    public SsdNetwork Network { get; }

    /// <summary>The post-processing applied to every image.</summary>
    public NonMaxSuppression Nms { get; }

    /// <summary>The offset coder (default variances 0.1 and 0.2).</summary>
    public SsdBoxCoder Coder { get; }

    /// <summary>Class names by key id − 1, or null.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>Input image column.</summary>
    public string ImageColumnName { get; }

    /// <summary>Output boxes column.</summary>
    public string PredictedBoxesColumnName { get; }

    /// <summary>Output key ids column.</summary>
    public string PredictedLabelsColumnName { get; }

    /// <summary>Output scores column.</summary>
    public string PredictedScoresColumnName { get; }

    internal static DataViewSchema ScoredSchema(DataViewSchema input, string boxes, string labels, string scores, int classes, IReadOnlyList<string>? names) =>
        input.With([
            (boxes, BoundingBoxDataViewType.Instance, null),
            (labels, new VectorDataViewType(new KeyDataViewType((ulong)classes), 0), names),
            (scores, new VectorDataViewType(NumberDataViewType.Single, 0), null),
        ]);

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        VisionColumns.Image(inputSchema, ImageColumnName, ComponentName);
        return ScoredSchema(inputSchema, PredictedBoxesColumnName, PredictedLabelsColumnName, PredictedScoresColumnName, Network.Classes, ClassNames);
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new ColumnScoredView<BoundingBox[]>(ImageColumnName, ScoringBatchSize, rows => Predict(rows.Select(r => (Tensor)r).ToList()),
            [
                (PredictedBoxesColumnName, found => found.ToArray()),
                (PredictedLabelsColumnName, found => found.Select(b => (uint)b.Label).ToArray()),
                (PredictedScoresColumnName, found => found.Select(b => b.Score).ToArray()),
            ],
            input, GetOutputSchema(input.Schema));
    }

    /// <summary>
    /// The raw predictions for network-sized images <c>[batch, 3, S, S]</c>: decoded boxes <c>[batch, priors, 4]</c>
    /// (x1, y1, x2, y2 in input pixels) and class probabilities <c>[batch, priors, classes + 1]</c> (index 0 = background)
    /// — what the ONNX graph outputs.
    /// </summary>
    public (Tensor Boxes, Tensor Scores) PredictRaw(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        Tensor output;
        using (Tensor.NoGrad()) output = Network.Forward(images);
        int n = output.Size(0), p = output.Size(1), v = output.Size(2);
        var offsets = output.Slice(2, 0, 4).ToArray<float>();
        var boxes = new float[offsets.Length];
        for (int i = 0; i < n; i++) Coder.Decode(offsets.AsSpan(i * p * 4, p * 4), Network.Priors, boxes.AsSpan(i * p * 4, p * 4));
        Tensor probabilities;
        using (Tensor.NoGrad()) probabilities = F.Softmax(output.Slice(2, 4, v), 2);
        return (Tensor.FromArray(boxes, n, p, 4), probabilities.Contiguous());
    }

    /// <summary>Detections for source images (any size; each is resized to the network input), boxes in source pixels.</summary>
    public BoundingBox[][] Predict(IReadOnlyList<Tensor> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0) return [];
        int s = Network.InputSize;
        var resized = Tensor.Stack(images.Select(im => DetectionBatchReader.ResizeImage(im, s)).ToList());
        var (boxTensor, scoreTensor) = PredictRaw(resized);
        return Detect(boxTensor, scoreTensor, images.Select(im => (im.Size(2), im.Size(1))).ToList());
    }

    /// <summary>
    /// The post-processing of raw outputs (<see cref="PredictRaw"/>, or the ONNX graph's <c>boxes</c> and <c>scores</c>):
    /// every (default box, class ≥ 1) with a probability above <see cref="NonMaxSuppression.ScoreThreshold"/> is a
    /// candidate, class-wise <see cref="Nms"/> keeps the best, and boxes are scaled from the input size to each source size.
    /// </summary>
    /// <param name="boxes">[batch, priors, 4] corner boxes in input pixels.</param>
    /// <param name="scores">[batch, priors, classes + 1] probabilities.</param>
    /// <param name="sourceSizes">(width, height) of each source image.</param>
    public BoundingBox[][] Detect(Tensor boxes, Tensor scores, IReadOnlyList<(int Width, int Height)> sourceSizes)
    {
        ArgumentNullException.ThrowIfNull(boxes);
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(sourceSizes);
        int p = Network.PriorCount, c = Network.Classes + 1, s = Network.InputSize, count = sourceSizes.Count;
        if (boxes.Rank != 3 || boxes.Size(0) != count || boxes.Size(1) != p || boxes.Size(2) != 4)
            throw new ArgumentException($"boxes must be [{count}, {p}, 4], got [{string.Join(", ", boxes.Shape.ToArray())}].", nameof(boxes));
        if (scores.Rank != 3 || scores.Size(0) != count || scores.Size(1) != p || scores.Size(2) != c)
            throw new ArgumentException($"scores must be [{count}, {p}, {c}], got [{string.Join(", ", scores.Shape.ToArray())}].", nameof(scores));
        var boxValues = boxes.ToArray<float>();
        var scoreValues = scores.ToArray<float>();
        var result = new BoundingBox[count][];
        var candBoxes = new List<float>();
        var candScores = new List<float>();
        var candClasses = new List<int>();
        for (int i = 0; i < count; i++)
        {
            candBoxes.Clear();
            candScores.Clear();
            candClasses.Clear();
            for (int q = 0; q < p; q++)
            {
                for (int k = 1; k < c; k++)
                {
                    float score = scoreValues[(i * p + q) * c + k];
                    if (score <= Nms.ScoreThreshold) continue;
                    for (int j = 0; j < 4; j++) candBoxes.Add(boxValues[(i * p + q) * 4 + j]);
                    candScores.Add(score);
                    candClasses.Add(k);
                }
            }
            var kept = Nms.Apply(candBoxes.ToArray(), candScores.ToArray(), candClasses.ToArray());
            float sx = sourceSizes[i].Width / (float)s, sy = sourceSizes[i].Height / (float)s;
            var found = new BoundingBox[kept.Length];
            for (int j = 0; j < kept.Length; j++)
            {
                int m = kept[j];
                float x1 = candBoxes[4 * m] * sx, y1 = candBoxes[4 * m + 1] * sy, x2 = candBoxes[4 * m + 2] * sx, y2 = candBoxes[4 * m + 3] * sy;
                found[j] = new BoundingBox(x1, y1, x2 - x1, y2 - y1, candClasses[m], candScores[m]);
            }
            result[i] = found;
        }
        return result;
    }

    /// <summary>Saves the ONNX graph (see <see cref="SsdOnnxGraph"/>): input <c>image</c> float <c>[batch, 3, S, S]</c>, outputs <c>boxes</c> and <c>scores</c>.</summary>
    public void ExportOnnx(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        SsdOnnxGraph.Export(this, path);
    }

    /// <inheritdoc/>
    public void Save(ModelSaveContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.SetComponent(ComponentName, 1);
        context.Options["imageColumn"] = ImageColumnName;
        context.Options["predictedBoxesColumn"] = PredictedBoxesColumnName;
        context.Options["predictedLabelsColumn"] = PredictedLabelsColumnName;
        context.Options["predictedScoresColumn"] = PredictedScoresColumnName;
        context.Options["inputSize"] = Network.InputSize;
        context.Options["classes"] = Network.Classes;
        context.Options["backboneWidth"] = Network.Width;
        context.Options["backboneDepth"] = Network.Depth;
        context.Options["nmsIouThreshold"] = Nms.IouThreshold;
        context.Options["scoreThreshold"] = Nms.ScoreThreshold;
        context.Options["maxDetections"] = Nms.MaxDetections;
        if (ClassNames is not null) context.Options["classNames"] = new JsonArray(ClassNames.Select(n => (JsonNode?)JsonValue.Create(n)).ToArray());
        foreach (var (name, t) in Network.StateDict()) context.AddTensor(name, t);
    }

    internal static ObjectDetectionTransformer Load(ModelLoadContext c)
    {
        c.RequireVersion(1);
        int size = c.GetInt("inputSize"), classes = c.GetInt("classes"), width = c.GetInt("backboneWidth"), depth = c.GetInt("backboneDepth");
        if (size < 32 || size % 32 != 0 || size > 4096) throw c.Error("inputSize", "must be a multiple of 32 up to 4096.");
        if (classes < 1 || classes > 10_000) throw c.Error("classes", "must be in 1..10000.");
        if (width < 4 || width > 1024) throw c.Error("backboneWidth", "must be in 4..1024.");
        if (depth < 0 || depth > 16) throw c.Error("backboneDepth", "must be in 0..16.");
        var net = new SsdNetwork(size, classes, width, depth, new Generator(0));
        net.LoadStateDict(c.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value), strict: true);
        net.Eval();
        NonMaxSuppression nms;
        try
        {
            nms = new NonMaxSuppression((float)c.GetDouble("nmsIouThreshold"), (float)c.GetDouble("scoreThreshold"), c.GetInt("maxDetections"));
        }
        catch (ArgumentException e)
        {
            throw c.Error("nmsIouThreshold", e.Message, e);
        }
        string[]? names = c.Has("classNames") ? c.GetStringArray("classNames") : null;
        return new ObjectDetectionTransformer(net, nms, names, c.GetString("imageColumn"), c.GetString("predictedBoxesColumn"),
            c.GetString("predictedLabelsColumn"), c.GetString("predictedScoresColumn"));
    }
}
