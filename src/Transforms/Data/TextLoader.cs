using System.Globalization;
using System.Text;

namespace MLNetDeep.Data;

/// <summary>Kinds of values a delimited text file column can hold.</summary>
public enum DataKind
{
    /// <summary>32-bit float.</summary>
    Single,
    /// <summary>64-bit float.</summary>
    Double,
    /// <summary>32-bit integer.</summary>
    Int32,
    /// <summary>64-bit integer.</summary>
    Int64,
    /// <summary>Boolean (true/false/1/0).</summary>
    Boolean,
    /// <summary>Text.</summary>
    String,
}

/// <summary>Options of the delimited text loader (ML.NET's TextLoader.Options).</summary>
public sealed class TextLoaderOptions
{
    /// <summary>Field separators (default tab).</summary>
    public char[] Separators { get; set; } = ['\t'];

    /// <summary>Whether the first line is a header (skipped).</summary>
    public bool HasHeader { get; set; }

    /// <summary>Whether fields may be quoted with <c>"</c> (a doubled quote inside is a literal quote). Quoted fields cannot span lines.</summary>
    public bool AllowQuoting { get; set; } = true;

    /// <summary>Whether to trim spaces around unquoted fields.</summary>
    public bool TrimWhitespace { get; set; }
}

/// <summary>One column of a delimited file: a name, a kind and a field index or an inclusive range (a vector).</summary>
/// <param name="Name">Column name.</param>
/// <param name="Kind">Value kind.</param>
/// <param name="Start">First field (zero-based).</param>
/// <param name="End">Last field (inclusive); equal to <paramref name="Start"/> for a scalar.</param>
public sealed record TextLoaderColumn(string Name, DataKind Kind, int Start, int End)
{
    /// <summary>A scalar column from field <paramref name="index"/>.</summary>
    public TextLoaderColumn(string name, DataKind kind, int index) : this(name, kind, index, index) { }

    internal bool IsVector => End != Start;

    internal DataViewType Type
    {
        get
        {
            PrimitiveDataViewType item = Kind switch
            {
                DataKind.Single => NumberDataViewType.Single,
                DataKind.Double => NumberDataViewType.Double,
                DataKind.Int32 => NumberDataViewType.Int32,
                DataKind.Int64 => NumberDataViewType.Int64,
                DataKind.Boolean => BooleanDataViewType.Instance,
                _ => TextDataViewType.Instance,
            };
            return IsVector ? new VectorDataViewType(item, End - Start + 1) : item;
        }
    }
}

/// <summary>Streams a delimited text file (TSV/CSV): each cursor reads the file line by line, nothing is cached.</summary>
internal sealed class TextLoaderDataView : IDataView
{
    private readonly string _path;
    private readonly TextLoaderColumn[] _columns;
    private readonly TextLoaderOptions _options;

    public TextLoaderDataView(string path, IReadOnlyList<TextLoaderColumn> columns, TextLoaderOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Data file '{path}' does not exist.", path);
        foreach (var c in columns)
            if (c.Start < 0 || c.End < c.Start) throw new ArgumentException($"Column '{c.Name}': field range {c.Start}..{c.End} is invalid.", nameof(columns));
        _path = path;
        _columns = [.. columns];
        _options = options;
        Schema = new DataViewSchema(_columns.Select(c => (c.Name, c.Type, (IReadOnlyList<string>?)null)));
    }

    public DataViewSchema Schema { get; }

    public bool CanShuffle => false;

    public long? GetRowCount() => null;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column>? columnsNeeded = null, Random? random = null) => new Cursor(this);

    internal static List<string> SplitFields(string line, TextLoaderOptions o, string path, long lineNo)
    {
        var fields = new List<string>();
        var sb = new StringBuilder();
        int i = 0;
        while (true)
        {
            sb.Clear();
            if (o.AllowQuoting && i < line.Length && line[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= line.Length) throw new DataLoadException(path, lineNo, $"field {fields.Count} has an unterminated quote.");
                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"') { sb.Append('"'); i += 2; continue; }
                        i++;
                        break;
                    }
                    sb.Append(line[i++]);
                }
                if (i < line.Length && Array.IndexOf(o.Separators, line[i]) < 0)
                    throw new DataLoadException(path, lineNo, $"field {fields.Count}: characters after the closing quote.");
                fields.Add(sb.ToString());
            }
            else
            {
                int start = i;
                while (i < line.Length && Array.IndexOf(o.Separators, line[i]) < 0) i++;
                string f = line[start..i];
                fields.Add(o.TrimWhitespace ? f.Trim() : f);
            }
            if (i >= line.Length) return fields;
            i++; // separator
        }
    }

    private static object Parse(string text, DataKind kind, string path, long lineNo, string column)
    {
        var inv = CultureInfo.InvariantCulture;
        bool ok = true;
        object value = kind switch
        {
            DataKind.Single => text.Length == 0 ? float.NaN : (ok = float.TryParse(text, NumberStyles.Float, inv, out var f)) ? f : 0f,
            DataKind.Double => text.Length == 0 ? double.NaN : (ok = double.TryParse(text, NumberStyles.Float, inv, out var d)) ? d : 0d,
            DataKind.Int32 => (ok = int.TryParse(text, NumberStyles.Integer, inv, out var n)) ? n : 0,
            DataKind.Int64 => (ok = long.TryParse(text, NumberStyles.Integer, inv, out var l)) ? l : 0L,
            DataKind.Boolean => text switch { "1" or "true" or "True" or "TRUE" => true, "0" or "false" or "False" or "FALSE" => false, _ => ok = false },
            _ => text,
        };
        if (!ok) throw new DataLoadException(path, lineNo, $"column '{column}': '{text}' is not a valid {kind}.");
        return value;
    }

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly TextLoaderDataView _owner;
        private readonly StreamReader _reader;
        private long _position = -1, _lineNo;
        private List<string>? _fields;
        private readonly object?[] _values;

        public Cursor(TextLoaderDataView owner)
        {
            _owner = owner;
            _reader = new StreamReader(owner._path, Encoding.UTF8, true, new FileStreamOptions { BufferSize = 1 << 16, Options = FileOptions.SequentialScan });
            _values = new object?[owner._columns.Length];
            if (owner._options.HasHeader && _reader.ReadLine() is not null) _lineNo = 1;
        }

        public override DataViewSchema Schema => _owner.Schema;

        public override long Position => _position;

        public override bool MoveNext()
        {
            string? line;
            do
            {
                line = _reader.ReadLine();
                if (line is null) return false;
                _lineNo++;
            } while (line.Length == 0);
            _fields = SplitFields(line, _owner._options, _owner._path, _lineNo);
            Array.Clear(_values);
            _position++;
            return true;
        }

        public override object GetValue(int columnIndex)
        {
            if (_fields is null) throw new InvalidOperationException("Call MoveNext before reading values.");
            if (_values[columnIndex] is { } cached) return cached;
            var c = _owner._columns[columnIndex];
            if (c.End >= _fields.Count)
                throw new DataLoadException(_owner._path, _lineNo, $"column '{c.Name}' needs field {c.End} but the line has {_fields.Count} fields.");
            object v;
            if (!c.IsVector) v = Parse(_fields[c.Start], c.Kind, _owner._path, _lineNo, c.Name);
            else
            {
                var arr = Array.CreateInstance(((VectorDataViewType)c.Type).ItemType.RawType, c.End - c.Start + 1);
                for (int k = c.Start; k <= c.End; k++) arr.SetValue(Parse(_fields[k], c.Kind, _owner._path, _lineNo, c.Name), k - c.Start);
                v = arr;
            }
            return _values[columnIndex] = v;
        }

        protected override void Dispose(bool disposing) => _reader.Dispose();
    }
}
