using MLNetDeep.Data;

namespace MLNetDeep.Estimators.Vision.Detection;

/// <summary>The schema checks the detector and the segmenter make, with the same messages.</summary>
internal static class VisionColumns
{
    /// <summary>The image column, or a <see cref="SchemaMismatchException"/> naming it.</summary>
    public static DataViewSchema.Column Image(DataViewSchema schema, string name, string component)
    {
        var column = schema.GetColumnOrNull(name)
            ?? throw new SchemaMismatchException(name, $"{component}: image column '{name}' not found; the schema has {schema.Describe()}.");
        if (column.Type is not ImageDataViewType)
            throw new SchemaMismatchException(name, $"{component}: column '{name}' holds {column.Type}; an Image column is needed.");
        return column;
    }

    /// <summary>The number of classes and their names from a Key or Vector&lt;Key&gt; column.</summary>
    public static (int Classes, IReadOnlyList<string>? Names) Classes(DataViewSchema schema, string name, string component)
    {
        var column = schema.GetColumnOrNull(name)
            ?? throw new SchemaMismatchException(name, $"{component}: label column '{name}' not found; the schema has {schema.Describe()}.");
        var key = column.Type switch
        {
            KeyDataViewType k => k,
            VectorDataViewType { ItemType: KeyDataViewType k } => k,
            _ => throw new SchemaMismatchException(name, $"{component}: label column '{name}' must be a Key or Vector<Key> naming the classes, got {column.Type}."),
        };
        if (key.Count < 1 || key.Count > 10_000)
            throw new SchemaMismatchException(name, $"{component}: label column '{name}' has {key.Count} classes; 1..10000 are supported.");
        return ((int)key.Count, column.KeyValues);
    }
}
