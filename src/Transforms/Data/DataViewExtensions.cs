namespace MLNetDeep.Data;

/// <summary>Reading a view back as objects.</summary>
public static class DataViewExtensions
{
    /// <summary>
    /// Streams the rows of <paramref name="data"/> as new <typeparamref name="T"/> objects, matching public
    /// members to columns by name (<see cref="ColumnNameAttribute"/>); members without a column are left as is.
    /// </summary>
    /// <exception cref="SchemaMismatchException">A member's type does not match its column's type.</exception>
    public static IEnumerable<T> CreateEnumerable<T>(this IDataView data) where T : class, new()
    {
        ArgumentNullException.ThrowIfNull(data);
        var bindings = Bind<T>(data.Schema);
        return Enumerate();

        IEnumerable<T> Enumerate()
        {
            using var cursor = data.GetRowCursor(bindings.Select(b => b.Column));
            while (cursor.MoveNext()) yield return Read<T>(cursor, bindings);
        }
    }

    internal sealed record Binding(DataViewSchema.Column Column, RowTypeMap.Member Member);

    internal static Binding[] Bind<T>(DataViewSchema schema)
    {
        var list = new List<Binding>();
        foreach (var m in RowTypeMap.For(typeof(T)).Members)
        {
            var col = schema.GetColumnOrNull(m.ColumnName);
            if (col is null || !m.CanWrite) continue;
            if (col.Type.RawType != m.MemberType)
                throw new SchemaMismatchException(col.Name, $"Column '{col.Name}' is {col.Type} ({col.Type.RawType.Name}) but {typeof(T).Name}.{m.Info.Name} is {m.MemberType.Name}.");
            list.Add(new Binding(col, m));
        }
        return [.. list];
    }

    internal static T Read<T>(DataViewRowCursor cursor, Binding[] bindings) where T : class, new()
    {
        var row = new T();
        foreach (var b in bindings) b.Member.Set(row, cursor.GetValue(b.Column.Index));
        return row;
    }

    /// <summary>Reads every value of one column (materializes it; for small data and tests).</summary>
    public static List<T> GetColumn<T>(this IDataView data, string columnName)
    {
        ArgumentNullException.ThrowIfNull(data);
        var col = data.Schema[columnName];
        var values = new List<T>();
        using var cursor = data.GetRowCursor([col]);
        while (cursor.MoveNext()) values.Add(cursor.GetValue<T>(col));
        return values;
    }
}
