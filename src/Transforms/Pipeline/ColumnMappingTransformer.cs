using System.Text.Json.Nodes;
using MLNetDeep.Data;
using MLNetDeep.Persistence;

namespace MLNetDeep;

/// <summary>
/// Base of transformers that compute each output column from one input column, row by row and lazily
/// (tokenizers, normalizers, key mappings). Subclasses give the output type (validating the input type)
/// and the per-value mapping; this class builds the output schema, the streaming view and the
/// input/output column part of the saved options.
/// </summary>
public abstract class ColumnMappingTransformer : ITransformer
{
    /// <summary>Creates the transformer over (output, input) column pairs.</summary>
    protected ColumnMappingTransformer(IReadOnlyList<(string OutputColumnName, string InputColumnName)> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Count == 0) throw new ArgumentException("At least one column pair is needed.", nameof(columns));
        foreach (var (o, i) in columns)
        {
            ArgumentException.ThrowIfNullOrEmpty(o, nameof(columns));
            ArgumentException.ThrowIfNullOrEmpty(i, nameof(columns));
        }
        Columns = [.. columns];
    }

    /// <summary>The (output, input) column pairs.</summary>
    public IReadOnlyList<(string OutputColumnName, string InputColumnName)> Columns { get; }

    /// <summary>The output type (and key values) for pair <paramref name="pair"/> given its input column.</summary>
    /// <exception cref="SchemaMismatchException">The input column has a type this transformer cannot take (message names it).</exception>
    protected abstract (DataViewType Type, IReadOnlyList<string>? KeyValues) GetOutputType(DataViewSchema.Column input, int pair);

    /// <summary>Maps one input value (the input column's raw type) to the output value, for pair <paramref name="pair"/>.</summary>
    protected abstract object Map(object value, DataViewSchema.Column input, int pair);

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var added = new List<(string, DataViewType, IReadOnlyList<string>?)>();
        for (int k = 0; k < Columns.Count; k++)
        {
            var col = inputSchema.GetColumnOrNull(Columns[k].InputColumnName)
                ?? throw new SchemaMismatchException(Columns[k].InputColumnName, $"{GetType().Name}: input column '{Columns[k].InputColumnName}' not found; the schema has {inputSchema.Describe()}.");
            var (type, keys) = GetOutputType(col, k);
            added.Add((Columns[k].OutputColumnName, type, keys));
        }
        return inputSchema.With(added);
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new MappedView(this, input, GetOutputSchema(input.Schema));
    }

    /// <inheritdoc/>
    public abstract void Save(ModelSaveContext context);

    /// <summary>Writes the column pairs into the options as <c>outputs</c> and <c>inputs</c> string arrays.</summary>
    protected void SaveColumns(ModelSaveContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Options["outputs"] = new JsonArray(Columns.Select(c => (JsonNode?)JsonValue.Create(c.OutputColumnName)).ToArray());
        context.Options["inputs"] = new JsonArray(Columns.Select(c => (JsonNode?)JsonValue.Create(c.InputColumnName)).ToArray());
    }

    /// <summary>Reads the column pairs written by <see cref="SaveColumns"/>.</summary>
    protected static (string OutputColumnName, string InputColumnName)[] LoadColumns(ModelLoadContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var outputs = context.GetStringArray("outputs");
        var inputs = context.GetStringArray("inputs");
        if (outputs.Length != inputs.Length || outputs.Length == 0) throw context.Error("inputs", "must be as long as 'outputs' and not empty.");
        return [.. outputs.Zip(inputs)];
    }

    private sealed class MappedView(ColumnMappingTransformer owner, IDataView source, DataViewSchema schema) : IDataView
    {
        public DataViewSchema Schema => schema;

        public bool CanShuffle => source.CanShuffle;

        public long? GetRowCount() => source.GetRowCount();

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column>? columnsNeeded = null, Random? random = null)
        {
            // Output column i is either a pass-through source column or mapping pair k.
            var sourceIndex = new int[schema.Count];
            var pairIndex = new int[schema.Count];
            for (int i = 0; i < schema.Count; i++)
            {
                pairIndex[i] = -1;
                for (int k = 0; k < owner.Columns.Count; k++)
                    if (owner.Columns[k].OutputColumnName == schema[i].Name) pairIndex[i] = k;
                sourceIndex[i] = pairIndex[i] >= 0 ? source.Schema[owner.Columns[pairIndex[i]].InputColumnName].Index : source.Schema[schema[i].Name].Index;
            }
            return new Cursor(owner, source.GetRowCursor(null, random), schema, sourceIndex, pairIndex);
        }
    }

    private sealed class Cursor(ColumnMappingTransformer owner, DataViewRowCursor inner, DataViewSchema schema, int[] sourceIndex, int[] pairIndex) : DataViewRowCursor
    {
        private readonly object?[] _cache = new object?[schema.Count];

        public override DataViewSchema Schema => schema;

        public override long Position => inner.Position;

        public override bool MoveNext()
        {
            Array.Clear(_cache);
            return inner.MoveNext();
        }

        public override object GetValue(int columnIndex)
        {
            int k = pairIndex[columnIndex];
            if (k < 0) return inner.GetValue(sourceIndex[columnIndex]);
            return _cache[columnIndex] ??= owner.Map(inner.GetValue(sourceIndex[columnIndex]), inner.Schema[sourceIndex[columnIndex]], k);
        }

        protected override void Dispose(bool disposing) => inner.Dispose();
    }
}
