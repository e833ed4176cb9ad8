using MLNetDeep.Data;

namespace MLNetDeep.Estimators.Text;

/// <summary>The output of a <see cref="TextClassificationTransformer"/>: reads ahead a batch of rows and scores them in one forward pass.</summary>
internal sealed class ScoredView(TextClassificationTransformer model, IDataView source, DataViewSchema schema) : IDataView
{
    public DataViewSchema Schema => schema;

    public bool CanShuffle => source.CanShuffle;

    public long? GetRowCount() => source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column>? columnsNeeded = null, Random? random = null) =>
        new Cursor(model, source.GetRowCursor(null, random), schema);

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly TextClassificationTransformer _model;
        private readonly DataViewRowCursor _inner;
        private readonly DataViewSchema _schema;
        private readonly int[] _sourceIndex;
        private readonly int _tokens, _score, _predicted;
        private readonly List<object[]> _rows = [];
        private float[][] _scores = [];
        private int _at = -1;
        private long _position = -1;
        private bool _innerDone;

        public Cursor(TextClassificationTransformer model, DataViewRowCursor inner, DataViewSchema schema)
        {
            _model = model;
            _inner = inner;
            _schema = schema;
            _tokens = inner.Schema[model.TokensColumnName].Index;
            _score = schema[model.ScoreColumnName].Index;
            _predicted = schema[model.PredictedLabelColumnName].Index;
            _sourceIndex = schema.Select(c => inner.Schema.GetColumnOrNull(c.Name)?.Index ?? -1).ToArray();
        }

        public override DataViewSchema Schema => _schema;

        public override long Position => _position;

        public override bool MoveNext()
        {
            if (++_at >= _rows.Count)
            {
                _rows.Clear();
                _at = 0;
                while (!_innerDone && _rows.Count < TextClassificationTransformer.ScoringBatchSize)
                {
                    if (!_inner.MoveNext()) { _innerDone = true; break; }
                    var values = new object[_inner.Schema.Count];
                    for (int i = 0; i < values.Length; i++) values[i] = _inner.GetValue(i);
                    _rows.Add(values);
                }
                if (_rows.Count == 0) return false;
                _scores = _model.Score(_rows.Select(r => (uint[])r[_tokens]).ToList());
            }
            _position++;
            return true;
        }

        public override object GetValue(int columnIndex)
        {
            if (_position < 0) throw new InvalidOperationException("Call MoveNext before reading values.");
            if (columnIndex == _score) return _scores[_at].Clone();
            if (columnIndex == _predicted)
            {
                var s = _scores[_at];
                int best = 0;
                for (int k = 1; k < s.Length; k++) if (s[k] > s[best]) best = k;
                return (uint)(best + 1);
            }
            return _rows[_at][_sourceIndex[columnIndex]];
        }

        protected override void Dispose(bool disposing) => _inner.Dispose();
    }
}
