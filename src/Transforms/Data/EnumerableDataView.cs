namespace MLNetDeep.Data;

/// <summary>
/// A view over an <see cref="IEnumerable{T}"/>: rows are read from the enumerable as cursors move, never
/// copied. Lists (<see cref="IReadOnlyList{T}"/>) have a known row count and can be shuffled exactly.
/// </summary>
internal sealed class EnumerableDataView<T> : IDataView where T : class
{
    private readonly IEnumerable<T> _source;
    private readonly RowTypeMap _map;

    public EnumerableDataView(IEnumerable<T> source)
    {
        _source = source;
        _map = RowTypeMap.For(typeof(T));
        Schema = new DataViewSchema(_map.Members.Select(m => (m.ColumnName, m.Type, (IReadOnlyList<string>?)null)));
    }

    public DataViewSchema Schema { get; }

    public bool CanShuffle => _source is IReadOnlyList<T>;

    public long? GetRowCount() => _source switch
    {
        IReadOnlyCollection<T> c => c.Count,
        ICollection<T> c => c.Count,
        _ => null,
    };

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column>? columnsNeeded = null, Random? random = null)
    {
        IEnumerable<T> rows = _source;
        if (random is not null && _source is IReadOnlyList<T> list)
        {
            var order = Enumerable.Range(0, list.Count).ToArray();
            random.Shuffle(order);
            rows = order.Select(i => list[i]);
        }
        return new Cursor(this, rows.GetEnumerator());
    }

    private sealed class Cursor(EnumerableDataView<T> owner, IEnumerator<T> rows) : DataViewRowCursor
    {
        private long _position = -1;

        public override DataViewSchema Schema => owner.Schema;

        public override long Position => _position;

        public override bool MoveNext()
        {
            if (!rows.MoveNext()) return false;
            _position++;
            return true;
        }

        public override object GetValue(int columnIndex)
        {
            if (_position < 0) throw new InvalidOperationException("Call MoveNext before reading values.");
            var row = rows.Current ?? throw new InvalidOperationException($"Row {_position} of the enumerable is null.");
            var member = owner._map.Members[columnIndex];
            return RowTypeMap.Normalize(owner.Schema[columnIndex].Type, member.Get(row));
        }

        protected override void Dispose(bool disposing) => rows.Dispose();
    }
}
