using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace MLNetDeep.Estimators.Word2Vec;

/// <summary>
/// Reads and writes the original word2vec vector files (as gensim's <c>save_word2vec_format</c> /
/// <c>load_word2vec_format</c>). Both start with a text line "count size". Text format: one line per word,
/// "word v1 … vsize". Binary format: per word the UTF-8 word, a space, size little-endian float32 values,
/// and a newline (the newline is optional when reading). The files carry no counts: loaded words get
/// count = words − index, so the order (most frequent first) is kept. Saves are atomic.
/// </summary>
public static class Word2VecFormat
{
    /// <summary>Largest vector width accepted when reading (guards against corrupt headers).</summary>
    public const int MaxVectorSize = 100_000;

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> (atomically, through a temporary file).</summary>
    public static void Save(Word2VecModel model, string path, bool binary)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        string temp = path + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            using (var stream = File.Create(temp)) Write(model, stream, binary);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Writes <paramref name="model"/> to a stream.</summary>
    public static void Write(Word2VecModel model, Stream stream, bool binary)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        int dim = model.VectorSize;
        var vectors = model.RawVectors;
        using var output = new BufferedStream(stream, 1 << 16);
        output.Write(Encoding.UTF8.GetBytes(FormattableString.Invariant($"{model.Count} {dim}\n")));
        var row = new byte[dim * 4];
        var line = new StringBuilder();
        for (int w = 0; w < model.Count; w++)
        {
            if (binary)
            {
                output.Write(Encoding.UTF8.GetBytes(model.Words[w] + " "));
                for (int k = 0; k < dim; k++) BinaryPrimitives.WriteSingleLittleEndian(row.AsSpan(4 * k), vectors[w * dim + k]);
                output.Write(row);
                output.WriteByte((byte)'\n');
            }
            else
            {
                line.Clear().Append(model.Words[w]);
                for (int k = 0; k < dim; k++) line.Append(' ').Append(vectors[w * dim + k].ToString("R", CultureInfo.InvariantCulture));
                line.Append('\n');
                output.Write(Encoding.UTF8.GetBytes(line.ToString()));
            }
        }
    }

    /// <summary>Reads a word2vec file.</summary>
    /// <exception cref="InvalidDataException">The file is malformed (the message names the file and the word or line).</exception>
    public static Word2VecModel Load(string path, bool binary)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = File.OpenRead(path);
        return Read(stream, binary, path);
    }

    /// <summary>Reads a word2vec file from a stream; <paramref name="source"/> names it in error messages.</summary>
    /// <exception cref="InvalidDataException">The data is malformed.</exception>
    public static Word2VecModel Read(Stream stream, bool binary, string source = "stream")
    {
        ArgumentNullException.ThrowIfNull(stream);
        var input = new BufferedStream(stream, 1 << 16);
        string header = ReadUntil(input, '\n', source, "header") ?? throw Bad(source, "is empty (no 'count size' header).");
        var parts = header.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int count)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int dim) || dim < 1 || dim > MaxVectorSize)
            throw Bad(source, $"has header '{header.Trim()}'; expected 'count size' with 1 ≤ size ≤ {MaxVectorSize}.");
        var words = new List<string>(Math.Min(count, 1 << 20));
        var vectors = new List<float>((int)Math.Min((long)count * dim, 1 << 24));
        var row = new byte[dim * 4];
        for (int w = 0; w < count; w++)
        {
            if (binary)
            {
                string word = ReadUntil(input, ' ', source, $"word {w + 1}", skipLeadingNewlines: true)
                    ?? throw Bad(source, $"ends after {w} of {count} words.");
                if (input.ReadAtLeast(row, row.Length, throwOnEndOfStream: false) != row.Length)
                    throw Bad(source, $"ends inside the vector of word {w + 1} ('{word}').");
                words.Add(word);
                for (int k = 0; k < dim; k++) vectors.Add(BinaryPrimitives.ReadSingleLittleEndian(row.AsSpan(4 * k)));
            }
            else
            {
                string line = ReadUntil(input, '\n', source, $"line {w + 2}") ?? throw Bad(source, $"ends after {w} of {count} words.");
                var fields = line.TrimEnd('\r').Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length != dim + 1) throw Bad(source, $"line {w + 2} has {fields.Length - 1} values; the header says {dim}.");
                words.Add(fields[0]);
                for (int k = 1; k <= dim; k++)
                {
                    if (!float.TryParse(fields[k], NumberStyles.Float, CultureInfo.InvariantCulture, out float v))
                        throw Bad(source, $"line {w + 2} (word '{fields[0]}') has '{fields[k]}', which is not a number.");
                    vectors.Add(v);
                }
            }
        }
        var counts = Enumerable.Range(0, words.Count).Select(i => (long)(words.Count - i)).ToArray();
        try
        {
            return new Word2VecModel(words, counts, [.. vectors], dim);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"word2vec file {source}: {e.Message}", e);
        }
    }

    private static InvalidDataException Bad(string source, string detail) => new($"word2vec file {source} {detail}");

    // Reads UTF-8 bytes up to the delimiter (consumed, not returned); null at end of stream before any byte.
    private static string? ReadUntil(Stream input, char delimiter, string source, string what, bool skipLeadingNewlines = false)
    {
        var bytes = new List<byte>(32);
        while (true)
        {
            int b = input.ReadByte();
            if (b < 0)
            {
                if (bytes.Count == 0) return null;
                if (delimiter == '\n') break;
                throw Bad(source, $"ends inside {what}.");
            }
            if (skipLeadingNewlines && bytes.Count == 0 && (b == '\n' || b == '\r')) continue;
            if (b == delimiter) break;
            bytes.Add((byte)b);
            if (bytes.Count > 1 << 20) throw Bad(source, $"has a {what} longer than 1 MiB.");
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}
