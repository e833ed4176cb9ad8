using System.Diagnostics.CodeAnalysis;

namespace MLNetDeep.Data;

/// <summary>
/// A view that scores its source in batches: each cursor reads ahead up to a batch of source rows, scores
/// them in one call and then serves them one at a time. Source columns pass through; derived classes give
/// the scored columns.
/// </summary>
public abstract class BatchScoredView(IDataView source, DataViewSchema schema) : IDataView
{
    /// <inheritdoc/>
    public DataViewSchema Schema => schema;

    /// <inheritdoc/>
    public bool CanShuffle => source.CanShuffle;

    /// <inheritdoc/>
    public long? GetRowCount() => source.GetRowCount();

    /// <inheritdoc/>
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column>? columnsNeeded = null, Random? random = null) =>
        CreateCursor(source.GetRowCursor(null, random), schema);

    /// <summary>A cursor over the scored rows of <paramref name="inner"/> (all source columns read).</summary>
    protected abstract BatchScoringCursor CreateCursor(DataViewRowCursor inner, DataViewSchema schema);
}

/// <summary>
/// The cursor of a <see cref="BatchScoredView"/>: buffers up to a batch of source rows, calls
/// <see cref="ScoreBatch"/> once per batch and answers source columns from the buffered rows.
/// </summary>
public abstract class BatchScoringCursor : DataViewRowCursor
{
    private readonly DataViewRowCursor _inner;
    private readonly DataViewSchema _schema;
    private readonly int[] _sourceIndex;
    private readonly int _batchSize;
    private readonly List<object[]> _rows = [];
    private int _at = -1;
    private long _position = -1;
    private bool _innerDone;

    /// <summary>Creates the cursor over <paramref name="inner"/>, producing rows of <paramref name="schema"/>, <paramref name="batchSize"/> rows a batch.</summary>
    protected BatchScoringCursor(DataViewRowCursor inner, DataViewSchema schema, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _inner = inner;
        _schema = schema;
        _batchSize = batchSize;
        _sourceIndex = schema.Select(c => inner.Schema.GetColumnOrNull(c.Name)?.Index ?? -1).ToArray();
    }

    /// <summary>The source cursor.</summary>
    protected DataViewRowCursor Inner => _inner;

    /// <summary>The buffered source rows of the current batch (all source columns, by source index).</summary>
    protected IReadOnlyList<object[]> Rows => _rows;

    /// <summary>The index of the current row within <see cref="Rows"/>.</summary>
    protected int RowInBatch => _at;

    /// <inheritdoc/>
    public override DataViewSchema Schema => _schema;

    /// <inheritdoc/>
    public override long Position => _position;

    /// <inheritdoc/>
    public override bool MoveNext()
    {
        if (++_at >= _rows.Count)
        {
            _rows.Clear();
            _at = 0;
            while (!_innerDone && _rows.Count < _batchSize)
            {
                if (!_inner.MoveNext()) { _innerDone = true; break; }
                var values = new object[_inner.Schema.Count];
                for (int i = 0; i < values.Length; i++) values[i] = _inner.GetValue(i);
                _rows.Add(values);
            }
            if (_rows.Count == 0) return false;
            ScoreBatch();
        }
        _position++;
        return true;
    }

    /// <summary>Scores all of <see cref="Rows"/> (called once per batch, before its first row is served).</summary>
    protected abstract void ScoreBatch();

    /// <summary>The value of scored column <paramref name="columnIndex"/> for the current row; false for a source column.</summary>
    protected abstract bool TryGetScoredValue(int columnIndex, [MaybeNullWhen(false)] out object value);

    /// <inheritdoc/>
    public override object GetValue(int columnIndex)
    {
        if (_position < 0) throw new InvalidOperationException("Call MoveNext before reading values.");
        if (TryGetScoredValue(columnIndex, out var value)) return value;
        return _rows[_at][_sourceIndex[columnIndex]];
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing) => _inner.Dispose();
}
