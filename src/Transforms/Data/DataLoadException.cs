namespace MLNetDeep.Data;

/// <summary>A data file cannot be read: bad field, wrong number of fields, files of different lengths. Names the file and line.</summary>
public sealed class DataLoadException : Exception
{
    /// <summary>Creates the exception; the message is composed from the parts.</summary>
    /// <param name="path">The file.</param>
    /// <param name="line">One-based line number, or 0 when not about one line.</param>
    /// <param name="detail">What is wrong.</param>
    /// <param name="inner">The underlying error.</param>
    public DataLoadException(string path, long line, string detail, Exception? inner = null)
        : base(line > 0 ? $"{path}, line {line}: {detail}" : $"{path}: {detail}", inner)
    {
        Path = path;
        Line = line;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>One-based line number (0: not about one line).</summary>
    public long Line { get; }
}
