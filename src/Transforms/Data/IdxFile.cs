using System.Buffers.Binary;
using System.IO.Compression;

namespace MLNetDeep.Data;

/// <summary>
/// An IDX file (the MNIST / Fashion-MNIST format) read whole: a big-endian header (two zero bytes, an element-type
/// byte, the number of dimensions, then each dimension as a 32-bit integer) followed by the elements. Only unsigned
/// bytes (type 0x08), the type every MNIST-family file uses, are accepted. Files ending in <c>.gz</c> are
/// decompressed while reading.
/// </summary>
public sealed class IdxFile
{
    private IdxFile(string path, int[] dimensions, byte[] data)
    {
        Path = path;
        Dimensions = dimensions;
        Data = data;
    }

    /// <summary>The file it was read from.</summary>
    public string Path { get; }

    /// <summary>The dimensions, outermost first (images: count, rows, columns; labels: count).</summary>
    public IReadOnlyList<int> Dimensions { get; }

    /// <summary>The elements in row-major order.</summary>
    public byte[] Data { get; }

    /// <summary>Number of items (the first dimension).</summary>
    public int Count => Dimensions[0];

    /// <summary>Elements per item (the product of the other dimensions; 1 for a label file).</summary>
    public int ItemSize => Dimensions.Skip(1).Aggregate(1, (a, b) => a * b);

    /// <summary>Reads an IDX file (optionally gzip-compressed).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataLoadException">The header is not an unsigned-byte IDX header, or the file is short.</exception>
    public static IdxFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"IDX file '{path}' does not exist.", path);
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
        Span<byte> magic = stackalloc byte[4];
        ReadExactly(stream, magic, path, "header");
        if (magic[0] != 0 || magic[1] != 0) throw new DataLoadException(path, 0, "not an IDX file: the first two bytes must be zero.");
        if (magic[2] != 0x08) throw new DataLoadException(path, 0, $"element type 0x{magic[2]:x2} is not supported; only unsigned bytes (0x08) are.");
        int rank = magic[3];
        if (rank < 1) throw new DataLoadException(path, 0, "the header declares no dimensions.");
        var dims = new int[rank];
        Span<byte> word = stackalloc byte[4];
        long total = 1;
        for (int i = 0; i < rank; i++)
        {
            ReadExactly(stream, word, path, $"dimension {i}");
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(word);
            if (dims[i] < 0) throw new DataLoadException(path, 0, $"dimension {i} is negative ({dims[i]}).");
            total *= dims[i];
        }
        if (total > Array.MaxLength) throw new DataLoadException(path, 0, $"{total} elements are too many to read into memory.");
        var data = new byte[total];
        ReadExactly(stream, data, path, "elements");
        return new IdxFile(path, dims, data);
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string path, string what)
    {
        int read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (read < buffer.Length) throw new DataLoadException(path, 0, $"the file ends inside the {what} ({read} of {buffer.Length} bytes).");
    }
}
