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

/// <summary>The output of an <see cref="ITokenRowScorer"/> (e.g. <see cref="TextClassificationTransformer"/>): reads ahead a batch of rows and scores them in one forward pass.</summary>
internal sealed class ScoredView(ITokenRowScorer model, IDataView source, DataViewSchema schema) : BatchScoredView(source, schema)
{
    protected override BatchScoringCursor CreateCursor(DataViewRowCursor inner, DataViewSchema schema) => new Cursor(model, inner, schema);

    private sealed class Cursor : BatchScoringCursor
    {
        private readonly ITokenRowScorer _model;
        private readonly int _tokens, _score, _predicted;
        private float[][] _scores = [];

        public Cursor(ITokenRowScorer model, DataViewRowCursor inner, DataViewSchema schema)
            : base(inner, schema, TextClassificationTransformer.ScoringBatchSize)
        {
            _model = model;
            _tokens = inner.Schema[model.TokensColumnName].Index;
            _score = schema[model.ScoreColumnName].Index;
            _predicted = schema[model.PredictedLabelColumnName].Index;
        }

        protected override void ScoreBatch() => _scores = _model.Score(Rows.Select(r => (uint[])r[_tokens]).ToList());

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
