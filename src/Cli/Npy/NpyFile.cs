using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using MLNetDeep.Tensors;

namespace MLNetDeep.Cli.Npy;

/// <summary>A .npy file that cannot be read: the message names the file and what is wrong.</summary>
public sealed class NpyFormatException(string path, string message) : Exception($"{path}: {message}")
{
    /// <summary>The file at fault.</summary>
    public string FilePath { get; } = path;
}

/// <summary>
/// Reads and writes NumPy .npy files (format versions 1 and 2: magic, version, header length, a Python
/// dict literal with descr/fortran_order/shape, then the data) for little-endian, C-order float32 ('&lt;f4')
/// and int64 ('&lt;i8') arrays. int32 ('&lt;i4') is read as int64.
/// </summary>
public static partial class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Largest header accepted.</summary>
    public const int MaxHeaderBytes = 1 << 16;

    /// <summary>Reads <paramref name="path"/> into a Float32 or Int64 tensor.</summary>
    /// <exception cref="NpyFormatException">Bad magic, version, header, dtype, order, shape or data length.</exception>
    public static Tensor Read(string path)
    {
        using var stream = File.OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>Reads a .npy stream; <paramref name="name"/> appears in error messages.</summary>
    public static Tensor Read(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var head = new byte[10];
        if (stream.ReadAtLeast(head.AsSpan(0, 8), 8, throwOnEndOfStream: false) < 8 || !head.AsSpan(0, 6).SequenceEqual(Magic))
            throw new NpyFormatException(name, "not a .npy file (bad magic).");
        int major = head[6];
        int headerLength;
        if (major == 1)
        {
            if (stream.ReadAtLeast(head.AsSpan(8, 2), 2, false) < 2) throw new NpyFormatException(name, "truncated header.");
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(head.AsSpan(8, 2));
        }
        else if (major is 2 or 3)
        {
            var len = new byte[4];
            if (stream.ReadAtLeast(len, 4, false) < 4) throw new NpyFormatException(name, "truncated header.");
            uint l = BinaryPrimitives.ReadUInt32LittleEndian(len);
            if (l > MaxHeaderBytes) throw new NpyFormatException(name, $"header of {l} bytes is over the {MaxHeaderBytes}-byte limit.");
            headerLength = (int)l;
        }
        else throw new NpyFormatException(name, $"format version {major}.{head[7]} is not supported (1, 2 or 3).");
        var headerBytes = new byte[headerLength];
        if (stream.ReadAtLeast(headerBytes, headerLength, false) < headerLength) throw new NpyFormatException(name, "truncated header.");
        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);

        string descr = Field(DescrRegex(), header, "descr", name);
        string order = Field(OrderRegex(), header, "fortran_order", name);
        string shapeText = Field(ShapeRegex(), header, "shape", name);
        if (order != "False") throw new NpyFormatException(name, "Fortran-order arrays are not supported (C order only).");
        var shape = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int d) ? d : throw new NpyFormatException(name, $"shape ({shapeText}) is not a tuple of sizes."))
            .ToArray();
        long count = shape.Aggregate(1L, (a, d) => a * d);
        int itemSize = descr switch
        {
            "<f4" => 4,
            "<i8" => 8,
            "<i4" => 4,
            _ => throw new NpyFormatException(name, $"dtype '{descr}' is not supported (little-endian '<f4', '<i8' or '<i4')."),
        };
        if (count * itemSize > int.MaxValue) throw new NpyFormatException(name, $"{count} elements are too many.");
        var data = new byte[count * itemSize];
        if (stream.ReadAtLeast(data, data.Length, false) < data.Length)
            throw new NpyFormatException(name, $"data is shorter than shape ({shapeText}) × {itemSize} bytes = {data.Length} bytes.");
        if (stream.ReadByte() >= 0) throw new NpyFormatException(name, $"trailing bytes after the {data.Length} data bytes of shape ({shapeText}).");
        switch (descr)
        {
            case "<f4":
            {
                var v = new float[count];
                for (int i = 0; i < v.Length; i++) v[i] = BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan(i * 4));
                return Tensor.FromArray(v, shape);
            }
            case "<i8":
            {
                var v = new long[count];
                for (int i = 0; i < v.Length; i++) v[i] = BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan(i * 8));
                return Tensor.FromArray(v, shape);
            }
            default:
            {
                var v = new long[count];
                for (int i = 0; i < v.Length; i++) v[i] = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(i * 4));
                return Tensor.FromArray(v, shape);
            }
        }
    }

    private static string Field(Regex regex, string header, string field, string name)
    {
        var m = regex.Match(header);
        if (!m.Success) throw new NpyFormatException(name, $"header has no valid '{field}' entry: {header.Trim()}");
        return m.Groups[1].Value;
    }

    /// <summary>Writes a Float32 or Int64 tensor to <paramref name="path"/> (version 1.0, or 2.0 if the header needs it).</summary>
    public static void Write(string path, Tensor tensor)
    {
        using var stream = File.Create(path);
        Write(stream, tensor);
    }

    /// <summary>Writes a Float32 or Int64 tensor as .npy to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensor);
        string descr = tensor.DType switch
        {
            DType.Float32 => "<f4",
            DType.Int64 => "<i8",
            _ => throw new ArgumentException($"Only Float32 and Int64 tensors can be written as .npy, got {tensor.DType}.", nameof(tensor)),
        };
        var shape = tensor.Shape.ToArray();
        string dims = shape.Length == 1 ? $"{shape[0]}," : string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture)));
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({dims}), }}";
        int prefix = 10;
        int total = (prefix + dict.Length + 1 + 63) / 64 * 64;
        bool v2 = total - prefix > ushort.MaxValue;
        if (v2) { prefix = 12; total = (prefix + dict.Length + 1 + 63) / 64 * 64; }
        string header = dict.PadRight(total - prefix - 1) + "\n";
        stream.Write(Magic);
        stream.WriteByte(v2 ? (byte)2 : (byte)1);
        stream.WriteByte(0);
        var len = new byte[v2 ? 4 : 2];
        if (v2) BinaryPrimitives.WriteUInt32LittleEndian(len, (uint)header.Length);
        else BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)header.Length);
        stream.Write(len);
        stream.Write(Encoding.Latin1.GetBytes(header));
        if (tensor.DType == DType.Float32)
        {
            var v = tensor.ToArray<float>();
            var bytes = new byte[v.Length * 4];
            for (int i = 0; i < v.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), v[i]);
            stream.Write(bytes);
        }
        else
        {
            var v = tensor.ToArray<long>();
            var bytes = new byte[v.Length * 8];
            for (int i = 0; i < v.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 8), v[i]);
            stream.Write(bytes);
        }
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrRegex();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex OrderRegex();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapeRegex();
}
