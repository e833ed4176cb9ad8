namespace MLNetDeep.Data;

/// <summary>
/// A lazily evaluated, possibly larger-than-memory table: a schema plus cursors that stream its rows.
/// Views are immutable; many cursors (on many threads) may run over one view at once.
/// </summary>
public interface IDataView
{
    /// <summary>The columns.</summary>
    DataViewSchema Schema { get; }

    /// <summary>Whether <see cref="GetRowCursor"/> honours a <c>random</c> argument with a true random order.</summary>
    bool CanShuffle { get; }

    /// <summary>Number of rows when known without reading the data, otherwise null.</summary>
    long? GetRowCount();

    /// <summary>Opens a cursor positioned before the first row.</summary>
    /// <param name="columnsNeeded">Columns the caller will read (others may be left uncomputed); null: all.</param>
    /// <param name="random">When given and <see cref="CanShuffle"/>, rows come in an order drawn from it.</param>
    DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column>? columnsNeeded = null, Random? random = null);
}

/// <summary>
/// A forward-only cursor over the rows of an <see cref="IDataView"/>. Values returned for a row are fresh
/// objects the caller may keep (arrays are never reused between rows) and must not modify.
/// </summary>
public abstract class DataViewRowCursor : IDisposable
{
    /// <summary>The schema of the rows.</summary>
    public abstract DataViewSchema Schema { get; }

    /// <summary>Zero-based index of the current row (-1 before the first <see cref="MoveNext"/>).</summary>
    public abstract long Position { get; }

    /// <summary>Advances to the next row; false at the end.</summary>
    public abstract bool MoveNext();

    /// <summary>The value of column <paramref name="columnIndex"/> in the current row, as the column type's raw type.</summary>
    public abstract object GetValue(int columnIndex);

    /// <summary>The value of <paramref name="column"/>, typed.</summary>
    /// <exception cref="SchemaMismatchException">The column's raw type is not <typeparamref name="T"/>.</exception>
    public T GetValue<T>(DataViewSchema.Column column)
    {
        ArgumentNullException.ThrowIfNull(column);
        if (column.Type.RawType != typeof(T))
            throw new SchemaMismatchException(column.Name, $"Column '{column.Name}' holds {column.Type} ({column.Type.RawType.Name}), not {typeof(T).Name}.");
        return (T)GetValue(column.Index);
    }

    /// <summary>Releases the underlying source (files, enumerators).</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases resources.</summary>
    protected virtual void Dispose(bool disposing) { }
}
