using System.Text.Json.Nodes;
using MLNetDeep.Data;
using MLNetDeep.Persistence;

namespace MLNetDeep.Conversion;

/// <summary>How the keys of a vocabulary are ordered.</summary>
public enum KeyOrdinality
{
    /// <summary>Most frequent first (ties: first seen first). Best with <see cref="ValueToKeyMappingOptions.MaximumNumberOfKeys"/>.</summary>
    ByFrequency,
    /// <summary>In order of first occurrence (ML.NET's default).</summary>
    ByOccurrence,
    /// <summary>Sorted by ordinal string value.</summary>
    ByValue,
}

/// <summary>Options of <see cref="ValueToKeyMappingEstimator"/> (ML.NET's MapValueToKey).</summary>
public sealed class ValueToKeyMappingOptions
{
    /// <summary>Largest number of keys, special tokens included (default 1,000,000).</summary>
    public int MaximumNumberOfKeys { get; set; } = 1_000_000;

    /// <summary>Terms seen fewer times are left out (default 1).</summary>
    public long MinimumCount { get; set; } = 1;

    /// <summary>Tokens given the first keys whatever their counts (e.g. <c>&lt;pad&gt;</c>, <c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c>).</summary>
    public IReadOnlyList<string>? SpecialTokens { get; set; }

    /// <summary>Token that unseen values map to (added after the special tokens); null: unseen values get key 0 (missing).</summary>
    public string? UnknownToken { get; set; }

    /// <summary>Key order (default by frequency).</summary>
    public KeyOrdinality KeyOrdinality { get; set; } = KeyOrdinality.ByFrequency;
}

/// <summary>
/// Learns a vocabulary per column by streaming the data once (Text or Vector&lt;Text&gt;), then maps
/// values to key ids. The output column carries the terms as its <see cref="DataViewSchema.Column.KeyValues"/>.
/// </summary>
public sealed class ValueToKeyMappingEstimator : IEstimator<ValueToKeyMappingTransformer>
{
    private readonly (string OutputColumnName, string InputColumnName)[] _columns;
    private readonly ValueToKeyMappingOptions _options;

    /// <summary>Creates the estimator.</summary>
    public ValueToKeyMappingEstimator(IReadOnlyList<(string OutputColumnName, string InputColumnName)> columns, ValueToKeyMappingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(columns);
        _columns = [.. columns];
        _options = options ?? new ValueToKeyMappingOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.MaximumNumberOfKeys, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(_options.MinimumCount, nameof(options));
    }

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        // Key counts are known after fitting only: an unfitted transformer with empty vocabularies gives the shape.
        var probe = new ValueToKeyMappingTransformer(_columns, _columns.Select(_ => new Vocabulary([])).ToArray());
        return probe.GetOutputSchema(inputSchema);
    }

    /// <inheritdoc/>
    public ValueToKeyMappingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema);
        var cols = _columns.Select(c => input.Schema[c.InputColumnName]).ToArray();
        var counters = cols.Select(_ => new VocabularyCounter()).ToArray();
        using (var cursor = input.GetRowCursor(cols))
        {
            while (cursor.MoveNext())
                for (int k = 0; k < cols.Length; k++)
                {
                    var v = cursor.GetValue(cols[k].Index);
                    if (v is string s) counters[k].Add(s);
                    else foreach (var t in (string[])v) counters[k].Add(t);
                }
        }
        return new ValueToKeyMappingTransformer(_columns, counters.Select(c => Vocabulary.Build(c, _options)).ToArray());
    }
}

/// <summary>Maps Text → Key and Vector&lt;Text&gt; → Vector&lt;Key&gt; with fitted vocabularies.</summary>
public sealed class ValueToKeyMappingTransformer : ColumnMappingTransformer
{
    /// <summary>Registry name of this component.</summary>
    public const string ComponentName = "MapValueToKey";

    /// <summary>Creates the transformer from one vocabulary per column pair.</summary>
    public ValueToKeyMappingTransformer(IReadOnlyList<(string OutputColumnName, string InputColumnName)> columns, IReadOnlyList<Vocabulary> vocabularies) : base(columns)
    {
        ArgumentNullException.ThrowIfNull(vocabularies);
        if (vocabularies.Count != columns.Count) throw new ArgumentException($"{columns.Count} column pairs need {columns.Count} vocabularies, got {vocabularies.Count}.", nameof(vocabularies));
        Vocabularies = [.. vocabularies];
    }

    /// <summary>The vocabulary of each column pair.</summary>
    public IReadOnlyList<Vocabulary> Vocabularies { get; }

    /// <inheritdoc/>
    protected override (DataViewType Type, IReadOnlyList<string>? KeyValues) GetOutputType(DataViewSchema.Column input, int pair)
    {
        var key = new KeyDataViewType((ulong)Vocabularies[pair].Count);
        return input.Type switch
        {
            TextDataViewType => (key, Vocabularies[pair].Terms),
            VectorDataViewType { ItemType: TextDataViewType } v => (new VectorDataViewType(key, v.Size), Vocabularies[pair].Terms),
            _ => throw new SchemaMismatchException(input.Name, $"MapValueToKey: column '{input.Name}' must be Text or Vector<Text>, got {input.Type}."),
        };
    }

    /// <inheritdoc/>
    protected override object Map(object value, DataViewSchema.Column input, int pair)
    {
        var vocab = Vocabularies[pair];
        if (value is string s) return vocab.GetKey(s);
        var terms = (string[])value;
        var keys = new uint[terms.Length];
        for (int i = 0; i < keys.Length; i++) keys[i] = vocab.GetKey(terms[i]);
        return keys;
    }

    /// <inheritdoc/>
    public override void Save(ModelSaveContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.SetComponent(ComponentName, 1);
        SaveColumns(context);
        var vocabs = new JsonArray();
        foreach (var v in Vocabularies)
            vocabs.Add(new JsonObject
            {
                ["terms"] = new JsonArray(v.Terms.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()),
                ["unknownToken"] = v.UnknownToken,
            });
        context.Options["vocabularies"] = vocabs;
    }

    internal static void RegisterLoader() => ComponentRegistry.Register(ComponentName, c =>
    {
        c.RequireVersion(1);
        var cols = LoadColumns(c);
        var vocabs = new Vocabulary[cols.Length];
        for (int i = 0; i < cols.Length; i++)
        {
            var terms = c.GetStringArray($"vocabularies[{i}].terms");
            vocabs[i] = new Vocabulary(terms, c.GetStringOrNull($"vocabularies[{i}].unknownToken"));
        }
        return new ValueToKeyMappingTransformer(cols, vocabs);
    });
}
