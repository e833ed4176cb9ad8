using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using MLNetDeep.Onnx;
using MLNetDeep.Tensors;

namespace MLNetDeep.Cli.Verbs;

/// <summary>Reads and writes NumPy .npy files (format 1.0/2.0, little-endian float32, float64, int64, int32, bool; C order).</summary>
public static class Npy
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads an .npy file as an ONNX value.</summary>
    /// <exception cref="FormatException">Not an .npy file, or a layout/dtype this reader does not handle (names the file).</exception>
    public static OnnxValue Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(Magic)) throw new FormatException($"{path}: not an .npy file.");
        int major = bytes[6];
        int headerLen = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)) : (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
        int start = major == 1 ? 10 : 12;
        if (headerLen < 0 || start + headerLen > bytes.Length) throw new FormatException($"{path}: truncated header.");
        string header = Encoding.ASCII.GetString(bytes, start, headerLen);
        string descr = Field(header, "descr", path).Trim('\'', '"', ' ');
        if (Field(header, "fortran_order", path).Trim() != "False") throw new FormatException($"{path}: Fortran-order arrays are not supported.");
        string shapeText = Field(header, "shape", path).Trim().TrimStart('(').TrimEnd(')');
        var shape = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        long count = shape.Aggregate(1L, (a, b) => a * b);
        var data = bytes.AsSpan(start + headerLen);
        (OnnxElementType type, int size) = descr switch
        {
            "<f4" => (OnnxElementType.Float, 4),
            "<f8" => (OnnxElementType.Double, 8),
            "<i8" => (OnnxElementType.Int64, 8),
            "<i4" => (OnnxElementType.Int32, 4),
            "|b1" => (OnnxElementType.Bool, 1),
            _ => throw new FormatException($"{path}: dtype '{descr}' is not supported (float32, float64, int64, int32, bool)."),
        };
        if (data.Length != count * size) throw new FormatException($"{path}: {data.Length} data bytes, shape needs {count * size}.");
        int n = (int)count;
        Tensor t;
        switch (type)
        {
            case OnnxElementType.Float:
            {
                var a = new float[n];
                for (int i = 0; i < n; i++) a[i] = BinaryPrimitives.ReadSingleLittleEndian(data[(4 * i)..]);
                t = Tensor.FromArray(a, n).Reshape(shape);
                break;
            }
            case OnnxElementType.Double:
            {
                var a = new double[n];
                for (int i = 0; i < n; i++) a[i] = BinaryPrimitives.ReadDoubleLittleEndian(data[(8 * i)..]);
                t = Tensor.FromArray(a, n).Reshape(shape);
                break;
            }
            default:
            {
                var a = new long[n];
                for (int i = 0; i < n; i++)
                    a[i] = size == 8 ? BinaryPrimitives.ReadInt64LittleEndian(data[(8 * i)..]) : size == 4 ? BinaryPrimitives.ReadInt32LittleEndian(data[(4 * i)..]) : data[i] != 0 ? 1 : 0;
                t = Tensor.FromArray(a, n).Reshape(shape);
                break;
            }
        }
        return new OnnxValue(t, type);
    }

    /// <summary>Writes a value as .npy: float types as float32 (double as float64), integers as int64, bool as bool.</summary>
    public static void Write(string path, OnnxValue value)
    {
        var t = value.Tensor.Contiguous();
        (string descr, int size) = value.ElementType switch
        {
            OnnxElementType.Double => ("<f8", 8),
            OnnxElementType.Bool => ("|b1", 1),
            _ when value.IsFloat => ("<f4", 4),
            _ => ("<i8", 8),
        };
        var dims = value.Shape.ToArray();
        string shape = dims.Length == 1 ? $"({dims[0]},)" : $"({string.Join(", ", dims)})";
        string header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        int total = 10 + header.Length + 1;
        header = header.PadRight(header.Length + (64 - total % 64) % 64) + "\n";
        using var f = File.Create(path);
        f.Write(Magic);
        f.Write([1, 0]);
        Span<byte> len = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)header.Length);
        f.Write(len);
        f.Write(Encoding.ASCII.GetBytes(header));
        var buf = new byte[(long)t.Numel * size];
        switch (descr)
        {
            case "<f4": { var s = t.Data<float>(); for (int i = 0; i < s.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(buf.AsSpan(4 * i), s[i]); break; }
            case "<f8": { var s = t.Data<double>(); for (int i = 0; i < s.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(buf.AsSpan(8 * i), s[i]); break; }
            case "|b1": { var s = t.Data<long>(); for (int i = 0; i < s.Length; i++) buf[i] = s[i] != 0 ? (byte)1 : (byte)0; break; }
            default: { var s = t.Data<long>(); for (int i = 0; i < s.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(buf.AsSpan(8 * i), s[i]); break; }
        }
        f.Write(buf);
    }

    private static string Field(string header, string name, string path)
    {
        int k = header.IndexOf($"'{name}'", StringComparison.Ordinal);
        if (k < 0) throw new FormatException($"{path}: header has no '{name}'.");
        int colon = header.IndexOf(':', k);
        int end = name == "shape" ? header.IndexOf(')', colon) + 1 : header.IndexOf(',', colon);
        if (colon < 0 || end <= colon) throw new FormatException($"{path}: malformed header field '{name}'.");
        return header[(colon + 1)..end];
    }
}
