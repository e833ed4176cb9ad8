using System.Text.Json.Nodes;
using MLNetDeep.Data;
using MLNetDeep.Estimators.Text;
using MLNetDeep.Persistence;
using MLNetDeep.Tensors;

namespace MLNetDeep.Estimators.Sequence;

/// <summary>
/// A trained sequence classifier: adds Score (class probabilities) and PredictedLabel (a Key with the
/// label's names). Rows are scored in batches as a cursor moves. Immutable and thread-safe.
/// </summary>
public sealed class SequenceClassificationTransformer : TokenScoringTransformer
{
    /// <summary>Registry name of this component.</summary>
    public const string ComponentName = "SequenceClassifier";

    /// <summary>Creates the transformer around a trained network.</summary>
    public SequenceClassificationTransformer(SequenceNetwork network, string tokensColumnName, string scoreColumnName, string predictedLabelColumnName, IReadOnlyList<string>? labelNames)
        : base(ComponentName, tokensColumnName, scoreColumnName, predictedLabelColumnName)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (labelNames is not null && labelNames.Count != network.Outputs)
            throw new ArgumentException($"{labelNames.Count} label names for {network.Outputs} classes.", nameof(labelNames));
        Network = network;
        LabelNames = labelNames is null ? null : [.. labelNames];
    }

    /// <summary>The trained network.</summary>
    public SequenceNetwork Network { get; }

    /// <summary>Class names (the label's key values), or null.</summary>
    public IReadOnlyList<string>? LabelNames { get; }

    /// <inheritdoc/>
    public override Tensors.Nn.Module OnnxNetwork => Network;

    /// <inheritdoc/>
    private protected override int ScoreCount => Network.Outputs;

    /// <inheritdoc/>
    private protected override IReadOnlyList<string>? KeyNames => LabelNames;

    /// <summary>Probabilities [rows][classes]; an empty token list is an <see cref="ArgumentException"/>.</summary>
    public override float[][] Score(IReadOnlyList<uint[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return SequenceScoring.Score(Network, rows, TokensColumnName);
    }

    /// <summary>Accuracy, macro-F1 and the confusion matrix of scored data (the output of <see cref="TokenScoringTransformer.Transform"/>) against a Key label column.</summary>
    public SequenceClassificationMetrics Evaluate(IDataView scored, string labelColumnName = "Label")
    {
        ArgumentNullException.ThrowIfNull(scored);
        return SequenceClassificationMetrics.Compute(scored, labelColumnName, PredictedLabelColumnName, Network.Outputs);
    }

    /// <inheritdoc/>
    public override void Save(ModelSaveContext context)
    {
        SaveColumns(context);
        if (LabelNames is not null) context.Options["labelNames"] = new JsonArray(LabelNames.Select(n => (JsonNode?)JsonValue.Create(n)).ToArray());
        SequenceNetworkPersistence.Save(context, Network);
    }

    internal static SequenceClassificationTransformer Load(ModelLoadContext c)
    {
        c.RequireVersion(1);
        var net = SequenceNetworkPersistence.Load(c);
        string[]? names = c.Has("labelNames") ? c.GetStringArray("labelNames") : null;
        return new SequenceClassificationTransformer(net, c.GetString("tokensColumn"), c.GetString("scoreColumn"), c.GetString("predictedLabelColumn"), names);
    }
}
