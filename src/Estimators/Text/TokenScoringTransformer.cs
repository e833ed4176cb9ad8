using MLNetDeep.Data;
using MLNetDeep.Persistence;
using MLNetDeep.Tensors.Nn;

namespace MLNetDeep.Estimators.Text;

/// <summary>
/// What the transformers that score Vector&lt;Key&gt; token rows share (text classifier, sequence
/// classifier, next-word predictor): the three column names, the output schema (Score, a probability
/// vector; PredictedLabel, its arg-max key named by <see cref="KeyNames"/>), batched scoring as a cursor
/// moves, the ONNX input/output names, and the common part of the saved options.
/// </summary>
public abstract class TokenScoringTransformer : ITransformer, IOnnxExportable, ITokenRowScorer
{
    private readonly string _component;

    /// <summary>Sets the column names; <paramref name="component"/> names the transformer in error messages and files.</summary>
    private protected TokenScoringTransformer(string component, string tokensColumnName, string scoreColumnName, string predictedLabelColumnName)
    {
        _component = component;
        TokensColumnName = tokensColumnName;
        ScoreColumnName = scoreColumnName;
        PredictedLabelColumnName = predictedLabelColumnName;
    }

    /// <summary>Input token-id column.</summary>
    public string TokensColumnName { get; }

    /// <summary>Output probabilities column.</summary>
    public string ScoreColumnName { get; }

    /// <summary>Output predicted-key column.</summary>
    public string PredictedLabelColumnName { get; }

    /// <inheritdoc/>
    public IReadOnlyList<string> OnnxInputColumnNames => [TokensColumnName];

    /// <inheritdoc/>
    public IReadOnlyList<string> OnnxOutputColumnNames => [ScoreColumnName, PredictedLabelColumnName];

    /// <inheritdoc/>
    public abstract Module OnnxNetwork { get; }

    /// <summary>Length of the Score vector (classes, or vocabulary keys).</summary>
    private protected abstract int ScoreCount { get; }

    /// <summary>The names of the predicted keys 1..<see cref="ScoreCount"/>, or null.</summary>
    private protected abstract IReadOnlyList<string>? KeyNames { get; }

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return TokenColumns.ScoredSchema(inputSchema, TokensColumnName, ScoreColumnName, PredictedLabelColumnName, ScoreCount, KeyNames, _component);
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return ScoredView.Create(this, input, GetOutputSchema(input.Schema));
    }

    /// <summary>Probabilities [rows][<see cref="ScoreCount"/>] for a batch of token-id rows.</summary>
    public abstract float[][] Score(IReadOnlyList<uint[]> rows);

    /// <inheritdoc/>
    public abstract void Save(ModelSaveContext context);

    /// <summary>Starts a save: the component (version 1) and the three column names.</summary>
    private protected void SaveColumns(ModelSaveContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.SetComponent(_component, 1);
        context.Options["tokensColumn"] = TokensColumnName;
        context.Options["scoreColumn"] = ScoreColumnName;
        context.Options["predictedLabelColumn"] = PredictedLabelColumnName;
    }
}
