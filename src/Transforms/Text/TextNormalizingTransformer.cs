using MLNetDeep.Data;
using MLNetDeep.Persistence;

namespace MLNetDeep.Text;

/// <summary>Case conversion applied by <see cref="TextNormalizingTransformer"/>.</summary>
public enum CaseMode
{
    /// <summary>Lower-case (invariant culture).</summary>
    Lower,
    /// <summary>Upper-case (invariant culture).</summary>
    Upper,
    /// <summary>Keep the case.</summary>
    None,
}

/// <summary>
/// Normalizes text: case conversion and optional removal of punctuation. Works on Text and on
/// Vector&lt;Text&gt; (item by item), keeping the type (ML.NET's NormalizeText).
/// </summary>
public sealed class TextNormalizingTransformer : ColumnMappingTransformer
{
    /// <summary>Registry name of this component.</summary>
    public const string ComponentName = "NormalizeText";

    /// <summary>Creates the transformer.</summary>
    public TextNormalizingTransformer(IReadOnlyList<(string OutputColumnName, string InputColumnName)> columns, CaseMode caseMode = CaseMode.Lower, bool keepPunctuations = true)
        : base(columns)
    {
        if (!Enum.IsDefined(caseMode)) throw new ArgumentOutOfRangeException(nameof(caseMode), caseMode, "Unknown case mode.");
        CaseMode = caseMode;
        KeepPunctuations = keepPunctuations;
    }

    /// <summary>The case conversion.</summary>
    public CaseMode CaseMode { get; }

    /// <summary>Whether punctuation characters are kept.</summary>
    public bool KeepPunctuations { get; }

    /// <summary>Normalizes one string.</summary>
    public string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!KeepPunctuations) text = string.Concat(text.Where(c => !char.IsPunctuation(c)));
        return CaseMode switch
        {
            CaseMode.Lower => text.ToLowerInvariant(),
            CaseMode.Upper => text.ToUpperInvariant(),
            _ => text,
        };
    }

    /// <inheritdoc/>
    protected override (DataViewType Type, IReadOnlyList<string>? KeyValues) GetOutputType(DataViewSchema.Column input, int pair) =>
        input.Type is TextDataViewType || input.Type is VectorDataViewType { ItemType: TextDataViewType }
            ? (input.Type, null)
            : throw new SchemaMismatchException(input.Name, $"NormalizeText: column '{input.Name}' must be Text or Vector<Text>, got {input.Type}.");

    /// <inheritdoc/>
    protected override object Map(object value, DataViewSchema.Column input, int pair) =>
        value is string s ? Normalize(s) : Array.ConvertAll((string[])value, Normalize);

    /// <inheritdoc/>
    public override void Save(ModelSaveContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.SetComponent(ComponentName, 1);
        SaveColumns(context);
        context.Options["caseMode"] = CaseMode.ToString();
        context.Options["keepPunctuations"] = KeepPunctuations;
    }

    internal static void RegisterLoader() => ComponentRegistry.Register(ComponentName, c =>
    {
        c.RequireVersion(1);
        string mode = c.GetString("caseMode");
        if (!Enum.TryParse<CaseMode>(mode, ignoreCase: false, out var cm) || !Enum.IsDefined(cm)) throw c.Error("caseMode", $"'{mode}' is not a case mode.");
        return new TextNormalizingTransformer(LoadColumns(c), cm, c.GetBool("keepPunctuations"));
    });
}
