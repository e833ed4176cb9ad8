using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace MLNetDeep.Tensors.Serialization;

public static partial class SafeTensors
{
    private readonly record struct Entry(string Name, DType DType, int[] Shape, long Begin, long End);

    /// <summary>Reads and validates a safetensors file.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="SafeTensorsFormatException">The file is malformed; the message names the file, entry and field.</exception>
    public static SafeTensorsFile Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Read(fs, path);
    }

    /// <summary>
    /// Reads and validates safetensors data from the current position to the end of <paramref name="stream"/>.
    /// For a seekable stream the sizes are checked against its length before anything large is allocated;
    /// a non-seekable stream is buffered as its bytes arrive, so a lying header cannot force a large allocation.
    /// </summary>
    /// <param name="stream">A readable stream; it is not closed.</param>
    /// <param name="sourceName">Name used in error messages (e.g. the file path).</param>
    /// <exception cref="SafeTensorsFormatException">The data is malformed.</exception>
    public static SafeTensorsFile Read(Stream stream, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        string src = sourceName ?? "<stream>";
        long? remaining = stream.CanSeek ? stream.Length - stream.Position : null;

        Span<byte> lenBytes = stackalloc byte[8];
        ReadExactly(stream, lenBytes, src, "the 8-byte header length");
        ulong headerLen = BinaryPrimitives.ReadUInt64LittleEndian(lenBytes);
        if (headerLen > MaxHeaderLength)
            throw Fail(src, null, null, $"header length {headerLen} exceeds the {MaxHeaderLength}-byte limit.");
        if (remaining is long r && (long)headerLen > r - 8)
            throw Fail(src, null, null, $"header length {headerLen} exceeds the {r - 8} bytes that follow it (file truncated or corrupt).");
        var header = new byte[(int)headerLen];
        ReadExactly(stream, header, src, $"the {headerLen}-byte header");

        var (entries, metadata) = ParseHeader(header, src);
        long dataLength = CheckLayout(entries, src);
        if (remaining is long total && total - 8 - (long)headerLen != dataLength)
            throw Fail(src, null, null,
                $"the header describes {dataLength} bytes of tensor data but {total - 8 - (long)headerLen} follow it ({(total - 8 - (long)headerLen < dataLength ? "truncated" : "trailing bytes")}).");

        var byName = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            int numel = ShapeUtil.Numel(e.Shape);
            Array storage = e.DType switch
            {
                DType.Float32 => ReadArray<float>(stream, numel, remaining is null, src, e.Name),
                DType.Float64 => ReadArray<double>(stream, numel, remaining is null, src, e.Name),
                _ => ReadArray<long>(stream, numel, remaining is null, src, e.Name),
            };
            byName[e.Name] = Tensor.Wrap(storage, e.Shape, e.DType);
        }
        if (remaining is null && stream.ReadByte() != -1)
            throw Fail(src, null, null, $"trailing bytes after the {dataLength} bytes of tensor data the header describes.");

        var tensors = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var e in entries) tensors.Add(e.Name, byName[e.Name]);
        return new SafeTensorsFile(tensors, metadata);
    }

    /// <summary>Checks that the entries tile [0, total) exactly (no overlaps, no holes) and returns total.</summary>
    private static long CheckLayout(List<Entry> entries, string src)
    {
        long expected = 0;
        Entry? previous = null;
        foreach (var e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (e.Begin < expected)
                throw Fail(src, e.Name, "data_offsets", $"byte range [{e.Begin}, {e.End}) overlaps entry '{previous!.Value.Name}' [{previous.Value.Begin}, {previous.Value.End}).");
            if (e.Begin > expected)
                throw Fail(src, e.Name, "data_offsets", $"byte range [{e.Begin}, {e.End}) leaves a hole: bytes [{expected}, {e.Begin}) belong to no tensor.");
            expected = e.End;
            previous = e;
        }
        return expected;
    }

    private static T[] ReadArray<T>(Stream stream, int count, bool lengthUnknown, string src, string name) where T : unmanaged
    {
        long bytes = (long)count * Marshal.SizeOf<T>();
        T[] result;
        if (!lengthUnknown)
        {
            result = new T[count];
            ReadExactly(stream, MemoryMarshal.AsBytes(result.AsSpan()), src, $"the {bytes} data bytes of '{name}'");
        }
        else
        {
            // Unknown stream length: collect the bytes in bounded chunks first, so memory grows only with data that really arrives.
            var chunks = new List<byte[]>();
            for (long got = 0; got < bytes;)
            {
                var chunk = new byte[(int)Math.Min(1 << 20, bytes - got)];
                ReadExactly(stream, chunk, src, $"the {bytes} data bytes of '{name}'");
                chunks.Add(chunk);
                got += chunk.Length;
            }
            result = new T[count];
            var dst = MemoryMarshal.AsBytes(result.AsSpan());
            int at = 0;
            foreach (var c in chunks) { c.CopyTo(dst[at..]); at += c.Length; }
        }
        if (!BitConverter.IsLittleEndian) SwapBytes(MemoryMarshal.AsBytes(result.AsSpan()), Marshal.SizeOf<T>());
        return result;
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string src, string what)
    {
        try { stream.ReadExactly(buffer); }
        catch (EndOfStreamException e) { throw Fail(src, null, null, $"unexpected end of data while reading {what} (file truncated).", e); }
    }

    private static SafeTensorsFormatException Fail(string src, string? entry, string? field, string detail, Exception? inner = null) =>
        new(src, entry, field, detail, inner);
}
