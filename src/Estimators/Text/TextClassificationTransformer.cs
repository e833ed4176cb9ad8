using System.Text.Json.Nodes;
using MLNetDeep.Data;
using MLNetDeep.Persistence;
using MLNetDeep.Tensors;

namespace MLNetDeep.Estimators.Text;

/// <summary>
/// A trained text classifier: adds Score (class probabilities) and PredictedLabel (a Key with the label's
/// names). Rows are scored in batches of <see cref="ScoringBatchSize"/> as a cursor moves, for throughput.
/// Immutable and thread-safe.
/// </summary>
public sealed class TextClassificationTransformer : TokenScoringTransformer
{
    /// <summary>Registry name of this component.</summary>
    public const string ComponentName = "TextClassifier";

    /// <summary>Rows scored per forward pass.</summary>
    public const int ScoringBatchSize = 256;

    /// <summary>Creates the transformer around a trained network.</summary>
    public TextClassificationTransformer(EmbeddingBagClassifier network, string tokensColumnName, string scoreColumnName, string predictedLabelColumnName, IReadOnlyList<string>? labelNames)
        : base(ComponentName, tokensColumnName, scoreColumnName, predictedLabelColumnName)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (labelNames is not null && labelNames.Count != network.Classes)
            throw new ArgumentException($"{labelNames.Count} label names for {network.Classes} classes.", nameof(labelNames));
        Network = network;
        LabelNames = labelNames is null ? null : [.. labelNames];
    }

    /// <summary>The trained network (ONNX exporters read its weights).</summary>
    public EmbeddingBagClassifier Network { get; }

    /// <summary>Class names (the label's key values), or null.</summary>
    public IReadOnlyList<string>? LabelNames { get; }

    /// <inheritdoc/>
    public override MLNetDeep.Tensors.Nn.Module OnnxNetwork => Network;

    /// <inheritdoc/>
    private protected override int ScoreCount => Network.Classes;

    /// <inheritdoc/>
    private protected override IReadOnlyList<string>? KeyNames => LabelNames;

    /// <summary>Probabilities [rows, classes] for a batch of token-id rows.</summary>
    public override float[][] Score(IReadOnlyList<uint[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        using var _ = Tensor.NoGrad();
        var probs = F.Softmax(Network.Forward(TokenBatch.FromKeys(rows)), 1).ToArray<float>();
        int c = Network.Classes;
        var result = new float[rows.Count][];
        for (int r = 0; r < rows.Count; r++) result[r] = probs.AsSpan(r * c, c).ToArray();
        return result;
    }

    /// <inheritdoc/>
    public override void Save(ModelSaveContext context)
    {
        SaveColumns(context);
        context.Options["vocabularySize"] = Network.VocabularySize;
        context.Options["embeddingDimension"] = Network.Embedding.EmbeddingDim;
        context.Options["hiddenLayerSize"] = ((MLNetDeep.Tensors.Nn.Linear)Network.Mlp[0]).OutFeatures;
        context.Options["classes"] = Network.Classes;
        if (LabelNames is not null) context.Options["labelNames"] = new JsonArray(LabelNames.Select(n => (JsonNode?)JsonValue.Create(n)).ToArray());
        foreach (var (name, t) in Network.StateDict()) context.AddTensor(name, t);
    }

    internal static TextClassificationTransformer Load(ModelLoadContext c)
    {
        c.RequireVersion(1);
        int vocab = c.GetInt("vocabularySize"), dim = c.GetInt("embeddingDimension"), hidden = c.GetInt("hiddenLayerSize"), classes = c.GetInt("classes");
        if (vocab < 1 || dim < 1 || hidden < 1 || classes < 2) throw c.Error("classes", "sizes must be positive (and at least 2 classes).");
        var net = new EmbeddingBagClassifier(vocab, dim, hidden, classes, new Generator(0));
        net.LoadStateDict(c.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value), strict: true);
        net.Eval();
        string[]? names = c.Has("labelNames") ? c.GetStringArray("labelNames") : null;
        return new TextClassificationTransformer(net, c.GetString("tokensColumn"), c.GetString("scoreColumn"), c.GetString("predictedLabelColumn"), names);
    }
}
