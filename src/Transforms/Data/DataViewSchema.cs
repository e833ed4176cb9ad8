using System.Collections;

namespace MLNetDeep.Data;

/// <summary>The columns of an <see cref="IDataView"/>: names, types and, for key columns, the key names.</summary>
public sealed class DataViewSchema : IReadOnlyList<DataViewSchema.Column>
{
    private readonly Column[] _columns;
    private readonly Dictionary<string, int> _byName = new(StringComparer.Ordinal);

    /// <summary>One column.</summary>
    public sealed class Column
    {
        internal Column(string name, int index, DataViewType type, IReadOnlyList<string>? keyValues)
        {
            Name = name;
            Index = index;
            Type = type;
            KeyValues = keyValues;
        }

        /// <summary>Column name.</summary>
        public string Name { get; }

        /// <summary>Position in the schema.</summary>
        public int Index { get; }

        /// <summary>Column type.</summary>
        public DataViewType Type { get; }

        /// <summary>For key columns: the value of key k is <c>KeyValues[k - 1]</c> (ML.NET's KeyValues annotation); otherwise null.</summary>
        public IReadOnlyList<string>? KeyValues { get; }

        /// <inheritdoc/>
        public override string ToString() => $"{Name}: {Type}";
    }

    /// <summary>Creates a schema from (name, type, key values) definitions. Names must be unique.</summary>
    /// <exception cref="ArgumentException">A name is empty or repeated.</exception>
    public DataViewSchema(IEnumerable<(string Name, DataViewType Type, IReadOnlyList<string>? KeyValues)> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var list = new List<Column>();
        foreach (var (name, type, keys) in columns)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            ArgumentNullException.ThrowIfNull(type);
            if (!_byName.TryAdd(name, list.Count)) throw new ArgumentException($"Column '{name}' appears twice in the schema.", nameof(columns));
            list.Add(new Column(name, list.Count, type, keys));
        }
        _columns = [.. list];
    }

    /// <summary>Number of columns.</summary>
    public int Count => _columns.Length;

    /// <summary>Column by position.</summary>
    public Column this[int index] => _columns[index];

    /// <summary>Column by name.</summary>
    /// <exception cref="SchemaMismatchException">No column has that name.</exception>
    public Column this[string name] => GetColumnOrNull(name) ?? throw new SchemaMismatchException(name, $"Column '{name}' not found; the schema has {Describe()}.");

    /// <summary>The named column, or null.</summary>
    public Column? GetColumnOrNull(string name) => name is not null && _byName.TryGetValue(name, out int i) ? _columns[i] : null;

    /// <summary>
    /// The schema with <paramref name="added"/> columns appended; an existing column of the same name is
    /// replaced (dropped from its old place), as ML.NET hides it.
    /// </summary>
    public DataViewSchema With(IEnumerable<(string Name, DataViewType Type, IReadOnlyList<string>? KeyValues)> added)
    {
        var extra = added.ToList();
        var replaced = extra.Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        return new DataViewSchema(_columns.Where(c => !replaced.Contains(c.Name)).Select(c => (c.Name, c.Type, c.KeyValues)).Concat(extra));
    }

    /// <summary>Lists the columns as <c>'Name' (Type)</c> for messages.</summary>
    public string Describe() => _columns.Length == 0 ? "no columns" : string.Join(", ", _columns.Select(c => $"'{c.Name}' ({c.Type})"));

    /// <inheritdoc/>
    public IEnumerator<Column> GetEnumerator() => ((IEnumerable<Column>)_columns).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc/>
    public override string ToString() => Describe();
}

/// <summary>
/// A column is missing or has the wrong type for an estimator, transformer, loader or row type.
/// <see cref="ColumnName"/> names the column.
/// </summary>
public sealed class SchemaMismatchException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="columnName">The offending column.</param>
    /// <param name="message">What is wrong (should name the column).</param>
    public SchemaMismatchException(string columnName, string message) : base(message) => ColumnName = columnName;

    /// <summary>The offending column.</summary>
    public string ColumnName { get; }
}
