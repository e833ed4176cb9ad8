using System.Text.Json.Nodes;
using MLNetDeep.Data;
using MLNetDeep.Persistence;

namespace MLNetDeep.Text;

/// <summary>
/// Splits text into words: on any whitespace by default, or on the given separator characters; empty
/// pieces are dropped. Text → Vector&lt;Text&gt; (ML.NET's TokenizeIntoWords).
/// </summary>
public sealed class WordTokenizingTransformer : ColumnMappingTransformer
{
    /// <summary>Registry name of this component.</summary>
    public const string ComponentName = "TokenizeIntoWords";

    /// <summary>Creates the transformer.</summary>
    /// <param name="columns">(output, input) pairs.</param>
    /// <param name="separators">Separator characters; null or empty: any whitespace.</param>
    public WordTokenizingTransformer(IReadOnlyList<(string OutputColumnName, string InputColumnName)> columns, char[]? separators = null) : base(columns)
    {
        Separators = separators is { Length: > 0 } ? (char[])separators.Clone() : null;
    }

    /// <summary>Separator characters, or null for whitespace.</summary>
    public IReadOnlyList<char>? Separators { get; }

    /// <summary>Splits one text (shared with streaming tools).</summary>
    public string[] Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Separators is null
            ? text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            : text.Split([.. Separators], StringSplitOptions.RemoveEmptyEntries);
    }

    /// <inheritdoc/>
    protected override (DataViewType Type, IReadOnlyList<string>? KeyValues) GetOutputType(DataViewSchema.Column input, int pair) =>
        input.Type is TextDataViewType
            ? (new VectorDataViewType(TextDataViewType.Instance), null)
            : throw new SchemaMismatchException(input.Name, $"TokenizeIntoWords: column '{input.Name}' must be Text, got {input.Type}.");

    /// <inheritdoc/>
    protected override object Map(object value, DataViewSchema.Column input, int pair) => Tokenize((string)value);

    /// <inheritdoc/>
    public override void Save(ModelSaveContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.SetComponent(ComponentName, 1);
        SaveColumns(context);
        if (Separators is not null) context.Options["separators"] = new string([.. Separators]);
    }

    internal static void RegisterLoader() => ComponentRegistry.Register(ComponentName, c =>
    {
        c.RequireVersion(1);
        return new WordTokenizingTransformer(LoadColumns(c), c.GetStringOrNull("separators")?.ToCharArray());
    });
}

/// <summary>
/// Splits text into characters (Unicode scalar values, so surrogate pairs stay whole), optionally with
/// start/end markers. Text → Vector&lt;Text&gt; (ML.NET's TokenizeIntoCharactersAsKeys, before the key mapping).
/// </summary>
public sealed class CharacterTokenizingTransformer : ColumnMappingTransformer
{
    /// <summary>Registry name of this component.</summary>
    public const string ComponentName = "TokenizeIntoCharacters";

    /// <summary>Marker emitted before the characters when <see cref="UseMarkerCharacters"/> is set.</summary>
    public const string StartMarker = "\u0002";

    /// <summary>Marker emitted after the characters when <see cref="UseMarkerCharacters"/> is set.</summary>
    public const string EndMarker = "\u0003";

    /// <summary>Creates the transformer.</summary>
    public CharacterTokenizingTransformer(IReadOnlyList<(string OutputColumnName, string InputColumnName)> columns, bool useMarkerCharacters = false) : base(columns)
    {
        UseMarkerCharacters = useMarkerCharacters;
    }

    /// <summary>Whether <see cref="StartMarker"/>/<see cref="EndMarker"/> surround the characters.</summary>
    public bool UseMarkerCharacters { get; }

    /// <inheritdoc/>
    protected override (DataViewType Type, IReadOnlyList<string>? KeyValues) GetOutputType(DataViewSchema.Column input, int pair) =>
        input.Type is TextDataViewType
            ? (new VectorDataViewType(TextDataViewType.Instance), null)
            : throw new SchemaMismatchException(input.Name, $"TokenizeIntoCharacters: column '{input.Name}' must be Text, got {input.Type}.");

    /// <inheritdoc/>
    protected override object Map(object value, DataViewSchema.Column input, int pair)
    {
        var s = (string)value;
        var result = new List<string>(s.Length + 2);
        if (UseMarkerCharacters) result.Add(StartMarker);
        foreach (var rune in s.EnumerateRunes()) result.Add(rune.ToString());
        if (UseMarkerCharacters) result.Add(EndMarker);
        return result.ToArray();
    }

    /// <inheritdoc/>
    public override void Save(ModelSaveContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.SetComponent(ComponentName, 1);
        SaveColumns(context);
        context.Options["useMarkerCharacters"] = UseMarkerCharacters;
    }

    internal static void RegisterLoader() => ComponentRegistry.Register(ComponentName, c =>
    {
        c.RequireVersion(1);
        return new CharacterTokenizingTransformer(LoadColumns(c), c.GetBool("useMarkerCharacters"));
    });
}
