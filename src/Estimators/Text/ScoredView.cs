using MLNetDeep.Data;

namespace MLNetDeep.Estimators.Text;

/// <summary>A transformer that scores token-id rows in batches: Score (a probability vector) and PredictedLabel (its arg-max key).</summary>
internal interface ITokenRowScorer
{
    /// <summary>Input Vector&lt;Key&gt; column.</summary>
    string TokensColumnName { get; }

    /// <summary>Output probabilities column.</summary>
    string ScoreColumnName { get; }

    /// <summary>Output arg-max key column.</summary>
    string PredictedLabelColumnName { get; }

    /// <summary>Probabilities per row.</summary>
    float[][] Score(IReadOnlyList<uint[]> rows);
}

/// <summary>
/// The output of a classifier that scores one input column in batches (<see cref="ITokenRowScorer"/>s such as
/// <see cref="TextClassificationTransformer"/>, the image classifier): a <see cref="ColumnScoredView{TResult}"/>
/// serving Score (the probability vector) and PredictedLabel (its 1-based arg-max key).
/// </summary>
internal static class ScoredView
{
    /// <summary>The view of a token-row scorer.</summary>
    public static IDataView Create(ITokenRowScorer model, IDataView source, DataViewSchema schema) =>
        Create(model.TokensColumnName, model.ScoreColumnName, model.PredictedLabelColumnName,
            rows => model.Score(rows.Select(r => (uint[])r).ToList()), source, schema, TextClassificationTransformer.ScoringBatchSize);

    /// <summary>The view of a classifier reading <paramref name="inputColumnName"/>, <paramref name="batchSize"/> rows per <paramref name="score"/> call.</summary>
    public static IDataView Create(string inputColumnName, string scoreColumnName, string predictedLabelColumnName,
        Func<IReadOnlyList<object>, float[][]> score, IDataView source, DataViewSchema schema, int batchSize) =>
        new ColumnScoredView<float[]>(inputColumnName, batchSize, score,
            [(scoreColumnName, s => s.Clone()), (predictedLabelColumnName, s => ArgMaxKey(s))], source, schema);

    private static uint ArgMaxKey(float[] s)
    {
        int best = 0;
        for (int k = 1; k < s.Length; k++) if (s[k] > s[best]) best = k;
        return (uint)(best + 1);
    }
}
