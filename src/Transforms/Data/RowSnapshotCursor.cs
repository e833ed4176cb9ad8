namespace MLNetDeep.Data;

/// <summary>Helpers shared by views that rearrange rows: copy a row's values, serve copied rows.</summary>
internal static class RowSnapshot
{
    public static object[] Take(DataViewRowCursor cursor)
    {
        var values = new object[cursor.Schema.Count];
        for (int i = 0; i < values.Length; i++) values[i] = cursor.GetValue(i);
        return values;
    }
}

/// <summary>
/// Shuffles a stream through a pool of <c>poolSize</c> rows (ML.NET's shuffle transform): memory stays
/// bounded by the pool, and the order is a deterministic function of the seed. Sources that can shuffle
/// exactly (<see cref="IDataView.CanShuffle"/>) are shuffled exactly instead.
/// </summary>
internal sealed class ShuffledDataView(IDataView source, int seed, int poolSize) : IDataView
{
    private int _epoch;

    public DataViewSchema Schema => source.Schema;

    public bool CanShuffle => true;

    public long? GetRowCount() => source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column>? columnsNeeded = null, Random? random = null)
    {
        // Each cursor gets its own stream; without an explicit random, successive cursors differ (epochs) yet stay reproducible.
        random ??= new Random(HashCode.Combine(seed, Interlocked.Increment(ref _epoch)));
        if (source.CanShuffle) return source.GetRowCursor(columnsNeeded, random);
        return new PoolCursor(source.GetRowCursor(columnsNeeded), random, poolSize);
    }

    private sealed class PoolCursor(DataViewRowCursor inner, Random random, int poolSize) : DataViewRowCursor
    {
        private readonly List<object[]> _pool = new(Math.Min(poolSize, 1 << 16));
        private object[]? _row;
        private long _position = -1;
        private bool _innerDone;

        public override DataViewSchema Schema => inner.Schema;

        public override long Position => _position;

        public override bool MoveNext()
        {
            while (!_innerDone && _pool.Count < poolSize)
            {
                if (inner.MoveNext()) _pool.Add(RowSnapshot.Take(inner));
                else _innerDone = true;
            }
            if (_pool.Count == 0) return false;
            int k = random.Next(_pool.Count);
            _row = _pool[k];
            _pool[k] = _pool[^1];
            _pool.RemoveAt(_pool.Count - 1);
            _position++;
            return true;
        }

        public override object GetValue(int columnIndex) => (_row ?? throw new InvalidOperationException("Call MoveNext before reading values."))[columnIndex];

        protected override void Dispose(bool disposing) => inner.Dispose();
    }
}

/// <summary>Keeps the rows whose position passes a predicate (used for seeded train/test splits); streams.</summary>
internal sealed class RowFilterDataView(IDataView source, Func<long, bool> keep) : IDataView
{
    public DataViewSchema Schema => source.Schema;

    public bool CanShuffle => false;

    public long? GetRowCount() => null;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column>? columnsNeeded = null, Random? random = null) =>
        new Cursor(source.GetRowCursor(columnsNeeded), keep);

    private sealed class Cursor(DataViewRowCursor inner, Func<long, bool> keep) : DataViewRowCursor
    {
        private long _position = -1;

        public override DataViewSchema Schema => inner.Schema;

        public override long Position => _position;

        public override bool MoveNext()
        {
            while (inner.MoveNext())
            {
                if (!keep(inner.Position)) continue;
                _position++;
                return true;
            }
            return false;
        }

        public override object GetValue(int columnIndex) => inner.GetValue(columnIndex);

        protected override void Dispose(bool disposing) => inner.Dispose();
    }
}
