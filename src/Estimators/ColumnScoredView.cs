using System.Diagnostics.CodeAnalysis;
using MLNetDeep.Data;

namespace MLNetDeep.Estimators;

/// <summary>
/// The output of a model that scores one input column in batches: each cursor reads ahead a batch of rows, passes
/// their input values to the model in one call (one result per row), and serves every output column as a function
/// of the current row's result. The classifiers (<see cref="Text.ScoredView"/>), the detector and the segmenter
/// score through it.
/// </summary>
/// <typeparam name="TResult">What the model gives for one row.</typeparam>
internal sealed class ColumnScoredView<TResult> : BatchScoredView
{
    private readonly string _inputColumnName;
    private readonly int _batchSize;
    private readonly Func<IReadOnlyList<object>, TResult[]> _score;
    private readonly IReadOnlyList<(string Column, Func<TResult, object> Value)> _outputs;

    /// <summary>Creates the view.</summary>
    /// <param name="inputColumnName">The source column the model reads.</param>
    /// <param name="batchSize">Rows scored per call.</param>
    /// <param name="score">Scores the input values of a batch of rows; one result per row, in order.</param>
    /// <param name="outputs">Each output column of <paramref name="schema"/> and how its value follows from a row's result (a fresh object per call).</param>
    /// <param name="source">The source view.</param>
    /// <param name="schema">The output schema (source columns plus the outputs).</param>
    public ColumnScoredView(string inputColumnName, int batchSize, Func<IReadOnlyList<object>, TResult[]> score,
        IReadOnlyList<(string Column, Func<TResult, object> Value)> outputs, IDataView source, DataViewSchema schema)
        : base(source, schema)
    {
        _inputColumnName = inputColumnName;
        _batchSize = batchSize;
        _score = score;
        _outputs = outputs;
    }

    protected override BatchScoringCursor CreateCursor(DataViewRowCursor inner, DataViewSchema schema) => new Cursor(this, inner, schema);

    private sealed class Cursor : BatchScoringCursor
    {
        private readonly ColumnScoredView<TResult> _view;
        private readonly int _input;
        private readonly int[] _outputIndices;
        private TResult[] _results = [];

        public Cursor(ColumnScoredView<TResult> view, DataViewRowCursor inner, DataViewSchema schema)
            : base(inner, schema, view._batchSize)
        {
            _view = view;
            _input = inner.Schema[view._inputColumnName].Index;
            _outputIndices = view._outputs.Select(o => schema[o.Column].Index).ToArray();
        }

        protected override void ScoreBatch() => _results = _view._score(Rows.Select(r => r[_input]).ToList());

        protected override bool TryGetScoredValue(int columnIndex, [MaybeNullWhen(false)] out object value)
        {
            int k = Array.IndexOf(_outputIndices, columnIndex);
            if (k < 0)
            {
                value = null;
                return false;
            }
            value = _view._outputs[k].Value(_results[RowInBatch]);
            return true;
        }
    }
}
