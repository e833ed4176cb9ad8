namespace MLNetDeep.Tensors.Serialization;

/// <summary>The contents of a safetensors file: its tensors in header order and its string metadata.</summary>
public sealed class SafeTensorsFile
{
    /// <summary>Tensors by name, in the order the header lists them. Each owns fresh, contiguous storage.</summary>
    public OrderedDictionary<string, Tensor> Tensors { get; }

    /// <summary>The header's <c>"__metadata__"</c> entries (empty when the file has none), in header order.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    internal SafeTensorsFile(OrderedDictionary<string, Tensor> tensors, OrderedDictionary<string, string> metadata)
    {
        Tensors = tensors;
        Metadata = metadata;
    }
}

/// <summary>
/// A safetensors file (or stream) is malformed: bad header length, invalid JSON, an entry with a bad
/// field, offsets that overlap or leave holes, or a data section of the wrong size. The message names
/// the file, the entry and the field.
/// </summary>
public sealed class SafeTensorsFormatException : Exception
{
    /// <summary>The file path (or the stream name given to the reader).</summary>
    public string SourceName { get; }

    /// <summary>The tensor name (or <c>"__metadata__"</c>) the problem is in, or null for file-level problems.</summary>
    public string? Entry { get; }

    /// <summary>The offending field (<c>"dtype"</c>, <c>"shape"</c>, <c>"data_offsets"</c>, a metadata key…), or null.</summary>
    public string? Field { get; }

    /// <summary>Creates the exception; the message is composed from the parts.</summary>
    /// <param name="sourceName">File path or stream name.</param>
    /// <param name="entry">Tensor name, or null.</param>
    /// <param name="field">Field name, or null.</param>
    /// <param name="detail">What is wrong.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public SafeTensorsFormatException(string sourceName, string? entry, string? field, string detail, Exception? inner = null)
        : base(Compose(sourceName, entry, field, detail), inner)
    {
        SourceName = sourceName;
        Entry = entry;
        Field = field;
    }

    private static string Compose(string source, string? entry, string? field, string detail)
    {
        var where = $"Invalid safetensors file '{source}'";
        if (entry is not null) where += $", entry '{Clip(entry)}'";
        if (field is not null) where += $", field '{Clip(field)}'";
        return where + ": " + detail;
    }

    /// <summary>Keeps messages readable when a hostile header uses enormous names.</summary>
    private static string Clip(string s) => s.Length <= 200 ? s : s[..200] + "…";
}
