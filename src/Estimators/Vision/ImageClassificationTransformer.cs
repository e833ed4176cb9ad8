using System.Globalization;
using System.Text.Json.Nodes;
using MLNetDeep.Data;
using MLNetDeep.Estimators.Compression;
using MLNetDeep.Estimators.Text;
using MLNetDeep.Persistence;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;

namespace MLNetDeep.Estimators.Vision;

/// <summary>
/// A trained image classifier: adds Score (class probabilities) and PredictedLabel (a Key with the label's names)
/// from a Vector&lt;Single&gt; image column, scoring <see cref="ScoringBatchSize"/> rows per forward pass. Saves the
/// architecture options and the state dict; exports to ONNX (float input [batch, C·H·W] → Score, PredictedLabel);
/// exposes its network to compression and distillation through <see cref="INetworkClassifier"/>.
/// Immutable and thread-safe for scoring.
/// </summary>
public sealed class ImageClassificationTransformer : INetworkClassifier, IOnnxExportable
{
    /// <summary>Registry name of this component.</summary>
    public const string ComponentName = "ImageClassifier";

    /// <summary>Rows scored per forward pass.</summary>
    public const int ScoringBatchSize = 256;

    private readonly int[] _inputShape;
    private readonly string[] _labels;
    private readonly object _forwardLock = new();

    /// <summary>Creates the transformer around a trained network (put in evaluation mode).</summary>
    /// <param name="network">Input [batch, C, H, W] → logits [batch, classes].</param>
    /// <param name="networkOptions">The architecture options the network was built from (saved with the model); the column names are taken from them too.</param>
    /// <param name="inputShape">[channels, height, width].</param>
    /// <param name="labels">Class names in logit order (at least 2).</param>
    public ImageClassificationTransformer(Module<Tensor, Tensor> network, ImageClassifierOptions networkOptions, IReadOnlyList<int> inputShape, IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(networkOptions);
        ArgumentNullException.ThrowIfNull(inputShape);
        ArgumentNullException.ThrowIfNull(labels);
        if (inputShape.Count != 3 || inputShape.Any(d => d < 1)) throw new ArgumentException($"The input shape must be [channels, height, width], got [{string.Join(", ", inputShape)}].", nameof(inputShape));
        if (labels.Count < 2) throw new ArgumentException("At least 2 class labels are needed.", nameof(labels));
        Network = network;
        NetworkOptions = networkOptions.Clone();
        _inputShape = [.. inputShape];
        _labels = [.. labels];
        network.Eval();
    }

    /// <inheritdoc/>
    public Module<Tensor, Tensor> Network { get; }

    /// <summary>The architecture (and column) options the network was built from.</summary>
    public ImageClassifierOptions NetworkOptions { get; }

    /// <inheritdoc/>
    public IReadOnlyList<int> InputShape => _inputShape;

    /// <inheritdoc/>
    public IReadOnlyList<string> Labels => _labels;

    /// <summary>Input image column.</summary>
    public string ImageColumnName => NetworkOptions.ImageColumnName;

    /// <summary>Output probabilities column.</summary>
    public string ScoreColumnName => NetworkOptions.ScoreColumnName;

    /// <summary>Output predicted-key column.</summary>
    public string PredictedLabelColumnName => NetworkOptions.PredictedLabelColumnName;

    /// <inheritdoc/>
    public IReadOnlyList<string> OnnxInputColumnNames => [ImageColumnName];

    /// <inheritdoc/>
    public IReadOnlyList<string> OnnxOutputColumnNames => [ScoreColumnName, PredictedLabelColumnName];

    /// <inheritdoc/>
    /// <remarks>The wrapper is created in evaluation mode, so exporting (which restores the mode it found) leaves the network in evaluation mode.</remarks>
    public Module OnnxNetwork => new ImageScoringGraph(Network, _inputShape, _labels.Length).Eval();

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var image = ImageColumns.Image(inputSchema, ImageColumnName, ComponentName);
        int size = ((VectorDataViewType)image.Type).Size, expected = _inputShape[0] * _inputShape[1] * _inputShape[2];
        if (size != expected) throw new SchemaMismatchException(image.Name, $"{ComponentName}: image column '{image.Name}' has {size} values; the model expects {expected} ([{string.Join(", ", _inputShape)}]).");
        return ImageColumns.ScoredSchema(inputSchema, ImageColumnName, ScoreColumnName, PredictedLabelColumnName, _labels.Length, _labels, ComponentName);
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return ScoredView.Create(ImageColumnName, ScoreColumnName, PredictedLabelColumnName, rows => Score(rows.Select(r => (float[])r).ToList()),
            input, GetOutputSchema(input.Schema), ScoringBatchSize);
    }

    /// <summary>Class probabilities [rows][classes] for images given as flat vectors of C·H·W values.</summary>
    public float[][] Score(IReadOnlyList<float[]> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        int size = _inputShape[0] * _inputShape[1] * _inputShape[2], classes = _labels.Length;
        var x = new float[images.Count * size];
        for (int r = 0; r < images.Count; r++)
        {
            if (images[r].Length != size) throw new ArgumentException($"Image {r} has {images[r].Length} values, not {size}.", nameof(images));
            images[r].CopyTo(x, r * size);
        }
        float[] probs;
        using (Tensor.NoGrad())
        lock (_forwardLock)
            probs = F.Softmax(Network.Forward(Tensor.FromArray(x, [images.Count, .. _inputShape])), 1).ToArray<float>();
        var result = new float[images.Count][];
        for (int r = 0; r < images.Count; r++) result[r] = probs.AsSpan(r * classes, classes).ToArray();
        return result;
    }

    /// <inheritdoc/>
    public IEnumerable<(Tensor Input, Tensor Labels)> ReadBatches(IDataView data, int batchSize, string? labelColumnName)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var image = ImageColumns.Image(data.Schema, ImageColumnName, ComponentName);
        var label = labelColumnName is null ? null : TokenColumns.Label(data.Schema, labelColumnName, ComponentName);
        return ImageData.Read(data, image, label, _inputShape).InOrder(batchSize);
    }

    /// <inheritdoc/>
    public INetworkClassifier WithNetwork(Module<Tensor, Tensor> network) => new ImageClassificationTransformer(network, NetworkOptions, _inputShape, _labels);

    /// <inheritdoc/>
    public void Save(ModelSaveContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.SetComponent(ComponentName, 1);
        var o = NetworkOptions;
        context.Options["imageColumn"] = o.ImageColumnName;
        context.Options["scoreColumn"] = o.ScoreColumnName;
        context.Options["predictedLabelColumn"] = o.PredictedLabelColumnName;
        context.Options["channels"] = _inputShape[0];
        context.Options["height"] = _inputShape[1];
        context.Options["width"] = _inputShape[2];
        context.Options["architecture"] = o.Architecture.ToString();
        context.Options["hiddenSize"] = o.HiddenSize;
        context.Options["baseWidth"] = o.Width;
        context.Options["depth"] = o.Depth;
        context.Options["growthRate"] = o.GrowthRate;
        context.Options["denseLayers"] = o.DenseLayers;
        context.Options["widthMultiplier"] = o.WidthMultiplier;
        context.Options["dropoutRate"] = o.DropoutRate;
        context.Options["labels"] = new JsonArray(_labels.Select(n => (JsonNode?)JsonValue.Create(n)).ToArray());
        foreach (var (name, t) in Network.StateDict()) context.AddTensor(name, t);
    }

    internal static ImageClassificationTransformer Load(ModelLoadContext c)
    {
        c.RequireVersion(1);
        if (!Enum.TryParse<ImageArchitecture>(c.GetString("architecture"), ignoreCase: false, out var architecture) || !Enum.IsDefined(architecture))
            throw c.Error("architecture", $"unknown architecture '{c.GetString("architecture")}'.");
        var o = new ImageClassifierOptions
        {
            ImageColumnName = c.GetString("imageColumn"),
            ScoreColumnName = c.GetString("scoreColumn"),
            PredictedLabelColumnName = c.GetString("predictedLabelColumn"),
            Channels = c.GetInt("channels"),
            ImageHeight = c.GetInt("height"),
            ImageWidth = c.GetInt("width"),
            Architecture = architecture,
            HiddenSize = c.GetInt("hiddenSize"),
            Width = c.GetInt("baseWidth"),
            Depth = c.GetInt("depth"),
            GrowthRate = c.GetInt("growthRate"),
            DenseLayers = c.GetInt("denseLayers"),
            WidthMultiplier = c.GetDouble("widthMultiplier"),
            DropoutRate = c.GetDouble("dropoutRate"),
        };
        try { o.Validate(); }
        catch (ArgumentException e) { throw c.Error(e is ArgumentOutOfRangeException r ? r.ParamName ?? "options" : "options", e.Message, e); }
        if (o.Channels == 0) throw c.Error("channels", "the image shape must be positive.");
        string[] labels = c.GetStringArray("labels");
        if (labels.Length < 2) throw c.Error("labels", "at least 2 class labels are needed.");
        int[] shape = [o.Channels, o.ImageHeight, o.ImageWidth];
        var net = ImageNetworks.Build(o, shape, labels.Length, new Generator(0));
        net.LoadStateDict(c.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value), strict: true);
        return new ImageClassificationTransformer(net, o, shape, labels);
    }

    /// <summary>Label names for a Key label column: its key values, or the class indices "0", "1", … when it has none.</summary>
    internal static string[] LabelNames(DataViewSchema.Column label) =>
        label.KeyValues is { } names ? [.. names] : Enumerable.Range(0, (int)((KeyDataViewType)label.Type).Count).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
}
