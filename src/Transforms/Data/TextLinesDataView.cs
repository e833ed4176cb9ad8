using System.Text;

namespace MLNetDeep.Data;

/// <summary>
/// Streams one or more line-aligned text files as text columns: one file is a corpus (one example per
/// line), two files are a parallel corpus (line i of the source translates to line i of the target).
/// Files of different lengths fail with a <see cref="DataLoadException"/> naming the shorter file.
/// </summary>
internal sealed class TextLinesDataView : IDataView
{
    private readonly string[] _paths;
    private readonly bool _skipEmpty;

    public TextLinesDataView(IReadOnlyList<string> paths, IReadOnlyList<string> columnNames, bool skipEmptyLines)
    {
        for (int i = 0; i < paths.Count; i++)
        {
            ArgumentException.ThrowIfNullOrEmpty(paths[i]);
            if (!File.Exists(paths[i])) throw new FileNotFoundException($"Text file '{paths[i]}' (column '{columnNames[i]}') does not exist.", paths[i]);
        }
        _paths = [.. paths];
        _skipEmpty = skipEmptyLines;
        Schema = new DataViewSchema(columnNames.Select(n => (n, (DataViewType)TextDataViewType.Instance, (IReadOnlyList<string>?)null)));
    }

    public DataViewSchema Schema { get; }

    public bool CanShuffle => false;

    public long? GetRowCount() => null;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column>? columnsNeeded = null, Random? random = null) => new Cursor(this);

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly TextLinesDataView _owner;
        private readonly StreamReader[] _readers;
        private readonly string[] _current;
        private long _position = -1, _lineNo;

        public Cursor(TextLinesDataView owner)
        {
            _owner = owner;
            _readers = owner._paths.Select(p => new StreamReader(p, Encoding.UTF8, true, new FileStreamOptions { BufferSize = 1 << 16, Options = FileOptions.SequentialScan })).ToArray();
            _current = new string[_readers.Length];
        }

        public override DataViewSchema Schema => _owner.Schema;

        public override long Position => _position;

        public override bool MoveNext()
        {
            while (true)
            {
                int ended = -1, endedCount = 0;
                for (int i = 0; i < _readers.Length; i++)
                {
                    string? line = _readers[i].ReadLine();
                    if (line is null) { ended = i; endedCount++; }
                    else _current[i] = line;
                }
                _lineNo++;
                if (endedCount == _readers.Length) return false;
                if (endedCount > 0)
                    throw new DataLoadException(_owner._paths[ended], _lineNo,
                        $"the file ends here but its parallel file(s) go on ({string.Join(", ", _owner._paths)} must have the same number of lines).");
                if (_owner._skipEmpty && Array.TrueForAll(_current, s => s.Length == 0)) continue;
                _position++;
                return true;
            }
        }

        public override object GetValue(int columnIndex) =>
            _position < 0 ? throw new InvalidOperationException("Call MoveNext before reading values.") : _current[columnIndex];

        protected override void Dispose(bool disposing)
        {
            foreach (var r in _readers) r.Dispose();
        }
    }
}
