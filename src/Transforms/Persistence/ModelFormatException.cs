namespace MLNetDeep.Persistence;

/// <summary>
/// A model file cannot be loaded: not a zip, truncated, wrong format version, a missing or corrupt entry,
/// an unknown component. <see cref="Entry"/> names the zip entry (or manifest path) at fault.
/// </summary>
public sealed class ModelFormatException : Exception
{
    /// <summary>Creates the exception; the message is composed from the parts.</summary>
    /// <param name="path">The model file.</param>
    /// <param name="entry">The zip entry or manifest location at fault, or null for the file as a whole.</param>
    /// <param name="detail">What is wrong.</param>
    /// <param name="inner">The underlying error.</param>
    public ModelFormatException(string path, string? entry, string detail, Exception? inner = null)
        : base(entry is null ? $"Model file '{path}': {detail}" : $"Model file '{path}', entry '{entry}': {detail}", inner)
    {
        Path = path;
        Entry = entry;
    }

    /// <summary>The model file.</summary>
    public string Path { get; }

    /// <summary>The entry at fault, or null.</summary>
    public string? Entry { get; }
}
