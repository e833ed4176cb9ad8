using MLNetDeep.Data;
using MLNetDeep.Persistence;

namespace MLNetDeep.Conversion;

/// <summary>
/// Maps Key → Text and Vector&lt;Key&gt; → Vector&lt;Text&gt; using the key column's
/// <see cref="DataViewSchema.Column.KeyValues"/> (ML.NET's MapKeyToValue). Key 0 (missing) maps to "".
/// </summary>
public sealed class KeyToValueMappingTransformer : ColumnMappingTransformer
{
    /// <summary>Registry name of this component.</summary>
    public const string ComponentName = "MapKeyToValue";

    /// <summary>Creates the transformer.</summary>
    public KeyToValueMappingTransformer(IReadOnlyList<(string OutputColumnName, string InputColumnName)> columns) : base(columns) { }

    /// <inheritdoc/>
    protected override (DataViewType Type, IReadOnlyList<string>? KeyValues) GetOutputType(DataViewSchema.Column input, int pair)
    {
        bool isKey = input.Type is KeyDataViewType || input.Type is VectorDataViewType { ItemType: KeyDataViewType };
        if (!isKey) throw new SchemaMismatchException(input.Name, $"MapKeyToValue: column '{input.Name}' must be Key or Vector<Key>, got {input.Type}.");
        if (input.KeyValues is null) throw new SchemaMismatchException(input.Name, $"MapKeyToValue: key column '{input.Name}' has no key values to map back to.");
        return input.Type is VectorDataViewType v ? (new VectorDataViewType(TextDataViewType.Instance, v.Size), null) : (TextDataViewType.Instance, null);
    }

    /// <inheritdoc/>
    protected override object Map(object value, DataViewSchema.Column input, int pair)
    {
        var terms = input.KeyValues!;
        string Term(uint k) => k >= 1 && k <= (uint)terms.Count ? terms[(int)k - 1] : string.Empty;
        return value is uint key ? Term(key) : Array.ConvertAll((uint[])value, Term);
    }

    /// <inheritdoc/>
    public override void Save(ModelSaveContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.SetComponent(ComponentName, 1);
        SaveColumns(context);
    }

    internal static void RegisterLoader() => ComponentRegistry.Register(ComponentName, c =>
    {
        c.RequireVersion(1);
        return new KeyToValueMappingTransformer(LoadColumns(c));
    });
}
