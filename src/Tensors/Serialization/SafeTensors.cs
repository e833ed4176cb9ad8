using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace MLNetDeep.Tensors.Serialization;

/// <summary>
/// Reads and writes the safetensors format: an 8-byte little-endian header length N, N bytes of UTF-8
/// JSON (<c>{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {string: string}}</c>,
/// space-padded so the data starts 8-byte aligned), then the little-endian row-major tensor bytes with
/// offsets relative to the end of the header. Supports F32, F64 and I64. Reading only parses and checks
/// the file: hostile input gives a <see cref="SafeTensorsFormatException"/>, never code execution.
/// </summary>
public static partial class SafeTensors
{
    /// <summary>Largest accepted JSON header, in bytes (as the reference implementation).</summary>
    public const long MaxHeaderLength = 100_000_000;

    private const string MetadataKey = "__metadata__";

    /// <summary>
    /// Writes <paramref name="tensors"/> to <paramref name="path"/> atomically: the file is written to a
    /// temporary file in the same folder and moved over <paramref name="path"/> only when complete, so on
    /// failure the previous file (if any) is untouched and no partial file is left behind.
    /// </summary>
    /// <param name="path">Destination file.</param>
    /// <param name="tensors">Name → tensor, written in enumeration order. Names must not be <c>"__metadata__"</c>.</param>
    /// <param name="metadata">Optional free-form string metadata.</param>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' has no parent folder.", nameof(path));
        string temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Write(fs, tensors, metadata);
                fs.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>Writes <paramref name="tensors"/> in safetensors layout to <paramref name="stream"/> (see <see cref="Save"/>).</summary>
    /// <param name="stream">A writable stream; it is not closed.</param>
    /// <param name="tensors">Name → tensor, written in enumeration order.</param>
    /// <param name="metadata">Optional free-form string metadata.</param>
    /// <exception cref="ArgumentException">A name is reserved, a tensor or metadata value is null, or the header would exceed <see cref="MaxHeaderLength"/>.</exception>
    public static void Write(Stream stream, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensors);
        var entries = new List<KeyValuePair<string, Tensor>>();
        foreach (var (name, t) in tensors)
        {
            if (name == MetadataKey) throw new ArgumentException($"'{MetadataKey}' is reserved and cannot name a tensor.", nameof(tensors));
            if (t is null) throw new ArgumentException($"Tensor '{name}' is null.", nameof(tensors));
            // Empty tensors carry no bytes; they are not copied (the core cannot yet copy some empty shapes, e.g. [2, 0]).
            entries.Add(new(name, t.Numel == 0 ? t.Detach() : t.Detach().Contiguous()));
        }
        byte[] header = BuildHeader(entries, metadata);
        if (header.Length > MaxHeaderLength)
            throw new ArgumentException($"The header would take {header.Length} bytes, over the {MaxHeaderLength}-byte limit readers enforce; split the tensors across files.", nameof(tensors));
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
        stream.Write(len);
        stream.Write(header);
        foreach (var (_, t) in entries)
        {
            if (t.Numel == 0) continue;
            switch (t.DType)
            {
                case DType.Float32: WriteLittleEndian<float>(stream, t.Data<float>()); break;
                case DType.Float64: WriteLittleEndian<double>(stream, t.Data<double>()); break;
                default: WriteLittleEndian<long>(stream, t.Data<long>()); break;
            }
        }
        stream.Flush();
    }

    private static byte[] BuildHeader(List<KeyValuePair<string, Tensor>> entries, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (metadata is not null)
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata)
                {
                    if (key is null || value is null) throw new ArgumentException("Metadata keys and values must not be null.", nameof(metadata));
                    json.WriteString(key, value);
                }
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, t) in entries)
            {
                long size = (long)t.Numel * Tensor.ElementSize(t.DType);
                json.WriteStartObject(name);
                json.WriteString("dtype", DTypeCode(t.DType));
                json.WriteStartArray("shape");
                foreach (int d in t.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + size);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += size;
            }
            json.WriteEndObject();
        }
        int padded = (int)((buffer.Length + 7) / 8 * 8);
        while (buffer.Length < padded) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }

    private static string DTypeCode(DType dtype) => dtype switch
    {
        DType.Float32 => "F32",
        DType.Float64 => "F64",
        _ => "I64",
    };

    private static void WriteLittleEndian<T>(Stream stream, ReadOnlySpan<T> data) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(data);
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(bytes);
            return;
        }
        int size = Marshal.SizeOf<T>();
        var chunk = new byte[Math.Min(bytes.Length, 1 << 16)];
        for (int start = 0; start < bytes.Length; start += chunk.Length)
        {
            int n = Math.Min(chunk.Length, bytes.Length - start);
            bytes.Slice(start, n).CopyTo(chunk);
            SwapBytes(chunk.AsSpan(0, n), size);
            stream.Write(chunk, 0, n);
        }
    }

    /// <summary>Reverses the byte order of each <paramref name="elementSize"/>-byte element (big-endian hosts only).</summary>
    private static void SwapBytes(Span<byte> data, int elementSize)
    {
        for (int i = 0; i + elementSize <= data.Length; i += elementSize) data.Slice(i, elementSize).Reverse();
    }
}
