using MLNetDeep.Data;

namespace MLNetDeep;

/// <summary>Loading, shuffling, splitting and reading back data (ML.NET's <c>mlContext.Data</c>).</summary>
public sealed partial class DataOperationsCatalog : CatalogBase
{
    internal DataOperationsCatalog(DeepContext context) : base(context) { }

    /// <summary>A view over <paramref name="data"/>; columns come from the public members of <typeparamref name="T"/> (see the column attributes). Rows are read lazily.</summary>
    public IDataView LoadFromEnumerable<T>(IEnumerable<T> data) where T : class
    {
        ArgumentNullException.ThrowIfNull(data);
        return new EnumerableDataView<T>(data);
    }

    /// <summary>Streams a delimited text file with explicit columns.</summary>
    /// <param name="path">The file.</param>
    /// <param name="columns">Columns: name, kind, field index or range.</param>
    /// <param name="options">Separators, header, quoting.</param>
    public IDataView LoadFromTextFile(string path, IReadOnlyList<TextLoaderColumn> columns, TextLoaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(columns);
        return new TextLoaderDataView(path, columns, options ?? new TextLoaderOptions());
    }

    /// <summary>Streams a delimited text file into the columns of <typeparamref name="T"/> (members marked <see cref="LoadColumnAttribute"/>).</summary>
    /// <param name="path">The file.</param>
    /// <param name="separatorChar">Field separator.</param>
    /// <param name="hasHeader">Skip the first line.</param>
    /// <param name="allowQuoting">Allow <c>"</c>-quoted fields.</param>
    public IDataView LoadFromTextFile<T>(string path, char separatorChar = '\t', bool hasHeader = false, bool allowQuoting = true)
    {
        var columns = new List<TextLoaderColumn>();
        foreach (var m in RowTypeMap.For(typeof(T)).Members)
        {
            if (m.Load is null) continue;
            var item = m.Type is VectorDataViewType v ? v.ItemType : m.Type;
            DataKind kind = item switch
            {
                TextDataViewType => DataKind.String,
                BooleanDataViewType => DataKind.Boolean,
                _ when item.Equals(NumberDataViewType.Single) => DataKind.Single,
                _ when item.Equals(NumberDataViewType.Double) => DataKind.Double,
                _ when item.Equals(NumberDataViewType.Int32) => DataKind.Int32,
                _ when item.Equals(NumberDataViewType.Int64) => DataKind.Int64,
                _ => throw new SchemaMismatchException(m.ColumnName, $"{typeof(T).Name}.{m.Info.Name}: type {m.Type} cannot be loaded from text."),
            };
            columns.Add(new TextLoaderColumn(m.ColumnName, kind, m.Load.Start, m.Load.End));
        }
        if (columns.Count == 0) throw new ArgumentException($"{typeof(T).Name} has no member marked [LoadColumn].", nameof(T));
        return LoadFromTextFile(path, columns, new TextLoaderOptions { Separators = [separatorChar], HasHeader = hasHeader, AllowQuoting = allowQuoting });
    }

    /// <summary>Streams a text corpus with one example per line as a Text column.</summary>
    /// <param name="path">The file (UTF-8).</param>
    /// <param name="columnName">Column name.</param>
    /// <param name="skipEmptyLines">Skip empty lines.</param>
    public IDataView LoadFromTextLines(string path, string columnName = "Text", bool skipEmptyLines = true) =>
        new TextLinesDataView([path], [columnName], skipEmptyLines);

    /// <summary>Streams a parallel corpus: line i of <paramref name="sourcePath"/> pairs with line i of <paramref name="targetPath"/>.</summary>
    /// <param name="sourcePath">Source-language file.</param>
    /// <param name="targetPath">Target-language file (same number of lines).</param>
    /// <param name="sourceColumnName">Source column name.</param>
    /// <param name="targetColumnName">Target column name.</param>
    /// <param name="skipEmptyLines">Skip pairs where both lines are empty.</param>
    public IDataView LoadFromParallelText(string sourcePath, string targetPath, string sourceColumnName = "Source", string targetColumnName = "Target", bool skipEmptyLines = true) =>
        new TextLinesDataView([sourcePath, targetPath], [sourceColumnName, targetColumnName], skipEmptyLines);

    /// <summary>Streams the rows as <typeparamref name="T"/> objects (matched by column name).</summary>
    /// <param name="data">The view.</param>
    /// <param name="reuseRowObject">Accepted for ML.NET parity; a new object is always returned.</param>
    public IEnumerable<T> CreateEnumerable<T>(IDataView data, bool reuseRowObject = false) where T : class, new() => data.CreateEnumerable<T>();

    /// <summary>
    /// Shuffles rows with a seed: exactly for sources that can (in-memory lists), else through a pool of
    /// <paramref name="shufflePoolSize"/> rows so streams of any size work. Each cursor draws a new order.
    /// </summary>
    /// <param name="input">The view.</param>
    /// <param name="seed">Seed; null: drawn from the context.</param>
    /// <param name="shufflePoolSize">Rows held in memory for a streamed source.</param>
    public IDataView ShuffleRows(IDataView input, int? seed = null, int shufflePoolSize = 1000)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shufflePoolSize);
        return new ShuffledDataView(input, seed ?? Context.NextSeed(), shufflePoolSize);
    }

    /// <summary>Splits rows into train and test sets by a seeded hash of the row position (streams; no row is in both).</summary>
    /// <param name="data">The view.</param>
    /// <param name="testFraction">Expected fraction of rows in the test set.</param>
    /// <param name="seed">Seed; null: drawn from the context.</param>
    public (IDataView TrainSet, IDataView TestSet) TrainTestSplit(IDataView data, double testFraction = 0.1, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (testFraction is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "Must be in (0, 1).");
        ulong s = (ulong)(seed ?? Context.NextSeed());
        bool IsTest(long row)
        {
            ulong h = ((ulong)row + s) * 0x9E3779B97F4A7C15UL;
            h ^= h >> 31;
            h *= 0xBF58476D1CE4E5B9UL;
            h ^= h >> 29;
            return (h >> 11) * (1.0 / (1UL << 53)) < testFraction;
        }
        return (new RowFilterDataView(data, r => !IsTest(r)), new RowFilterDataView(data, IsTest));
    }
}
