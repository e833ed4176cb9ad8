using System.Diagnostics.CodeAnalysis;
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
/// <see cref="TextClassificationTransformer"/>, the image classifier): reads ahead a batch of rows, scores them in
/// one forward pass, and serves Score (the probability vector) and PredictedLabel (its 1-based arg-max key).
/// </summary>
internal sealed class ScoredView(string inputColumnName, string scoreColumnName, string predictedLabelColumnName,
    Func<IReadOnlyList<object>, float[][]> score, IDataView source, DataViewSchema schema, int batchSize) : BatchScoredView(source, schema)
{
    /// <summary>The view of a token-row scorer.</summary>
    public ScoredView(ITokenRowScorer model, IDataView source, DataViewSchema schema)
        : this(model.TokensColumnName, model.ScoreColumnName, model.PredictedLabelColumnName,
            rows => model.Score(rows.Select(r => (uint[])r).ToList()), source, schema, TextClassificationTransformer.ScoringBatchSize)
    {
    }

    private string InputColumn => inputColumnName;
    private string ScoreColumn => scoreColumnName;
    private string PredictedColumn => predictedLabelColumnName;
    private int BatchSize => batchSize;
    private float[][] ScoreRows(IReadOnlyList<object> rows) => score(rows);

    protected override BatchScoringCursor CreateCursor(DataViewRowCursor inner, DataViewSchema schema) => new Cursor(this, inner, schema);

    private sealed class Cursor : BatchScoringCursor
    {
        private readonly ScoredView _view;
        private readonly int _input, _score, _predicted;
        private float[][] _scores = [];

        public Cursor(ScoredView view, DataViewRowCursor inner, DataViewSchema schema)
            : base(inner, schema, view.BatchSize)
        {
            _view = view;
            _input = inner.Schema[view.InputColumn].Index;
            _score = schema[view.ScoreColumn].Index;
            _predicted = schema[view.PredictedColumn].Index;
        }

        protected override void ScoreBatch() => _scores = _view.ScoreRows(Rows.Select(r => r[_input]).ToList());

        protected override bool TryGetScoredValue(int columnIndex, [MaybeNullWhen(false)] out object value)
        {
            if (columnIndex == _score)
            {
                value = _scores[RowInBatch].Clone();
                return true;
            }
            if (columnIndex == _predicted)
            {
                var s = _scores[RowInBatch];
                int best = 0;
                for (int k = 1; k < s.Length; k++) if (s[k] > s[best]) best = k;
                value = (uint)(best + 1);
                return true;
            }
            value = null;
            return false;
        }
    }
}
