using System.Text.Json;

namespace MLNetDeep.Tensors.Serialization;

public static partial class SafeTensors
{
    /// <summary>Dtype codes of the safetensors format that this engine has no tensor type for.</summary>
    private static readonly HashSet<string> UnsupportedDTypes =
        ["BOOL", "U8", "I8", "U16", "I16", "F16", "BF16", "U32", "I32", "U64", "F8_E4M3", "F8_E5M2", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "C64"];

    /// <summary>Parses the JSON header and validates every entry on its own (layout is checked by the caller).</summary>
    private static (List<Entry> Entries, OrderedDictionary<string, string> Metadata) ParseHeader(byte[] header, string src)
    {
        if (!System.Text.Unicode.Utf8.IsValid(header))
            throw Fail(src, null, null, "the header is not valid UTF-8 JSON (invalid UTF-8 byte sequence).");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 8, AllowDuplicateProperties = true });
        }
        catch (JsonException e)
        {
            throw Fail(src, null, null, $"the header is not valid UTF-8 JSON ({e.Message}).", e);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw Fail(src, null, null, $"the header must be a JSON object, got {doc.RootElement.ValueKind}.");
            var entries = new List<Entry>();
            var metadata = new OrderedDictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            try
            {
                foreach (var prop in doc.RootElement.EnumerateObject())
                {
                    if (!seen.Add(prop.Name)) throw Fail(src, prop.Name, null, "the name appears more than once in the header.");
                    if (prop.Name == MetadataKey) ParseMetadata(prop.Value, metadata, src);
                    else entries.Add(ParseEntry(prop.Name, prop.Value, src));
                }
            }
            catch (InvalidOperationException e)
            {
                // System.Text.Json reports strings it cannot decode (e.g. an escaped lone surrogate) this way.
                throw Fail(src, null, null, $"the header holds a string that is not valid Unicode ({e.Message}).", e);
            }
            return (entries, metadata);
        }
    }

    private static void ParseMetadata(JsonElement value, OrderedDictionary<string, string> metadata, string src)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Fail(src, MetadataKey, null, $"metadata must be an object of strings, got {value.ValueKind}.");
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw Fail(src, MetadataKey, item.Name, $"metadata values must be strings, got {item.Value.ValueKind}.");
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
                throw Fail(src, MetadataKey, item.Name, "the metadata key appears more than once.");
        }
    }

    private static Entry ParseEntry(string name, JsonElement value, string src)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Fail(src, name, null, $"a tensor entry must be an object with dtype, shape and data_offsets, got {value.ValueKind}.");
        JsonElement? dtypeEl = null, shapeEl = null, offsetsEl = null;
        foreach (var field in value.EnumerateObject())
        {
            ref JsonElement? slot = ref dtypeEl;
            switch (field.Name)
            {
                case "dtype": break;
                case "shape": slot = ref shapeEl; break;
                case "data_offsets": slot = ref offsetsEl; break;
                default: throw Fail(src, name, field.Name, "unknown field (expected dtype, shape and data_offsets).");
            }
            if (slot is not null) throw Fail(src, name, field.Name, "the field appears more than once.");
            slot = field.Value;
        }
        var dtype = ParseDType(name, dtypeEl ?? throw Fail(src, name, "dtype", "missing."), src);
        var shape = ParseShape(name, shapeEl ?? throw Fail(src, name, "shape", "missing."), src);
        var (begin, end) = ParseOffsets(name, offsetsEl ?? throw Fail(src, name, "data_offsets", "missing."), src);

        long numel = 1;
        foreach (int d in shape)
        {
            numel *= d;
            if (numel > int.MaxValue)
                throw Fail(src, name, "shape", $"{ShapeUtil.Format(shape)} has more than {int.MaxValue} elements, the most a tensor can hold.");
        }
        long expected = numel * Tensor.ElementSize(dtype);
        if (end - begin != expected)
            throw Fail(src, name, "data_offsets",
                $"byte range [{begin}, {end}) holds {end - begin} bytes but {DTypeCode(dtype)} {ShapeUtil.Format(shape)} needs {expected}.");
        return new Entry(name, dtype, shape, begin, end);
    }

    private static DType ParseDType(string name, JsonElement el, string src)
    {
        if (el.ValueKind != JsonValueKind.String) throw Fail(src, name, "dtype", $"must be a string, got {el.ValueKind}.");
        string code = el.GetString()!;
        return code switch
        {
            "F32" => DType.Float32,
            "F64" => DType.Float64,
            "I64" => DType.Int64,
            _ when UnsupportedDTypes.Contains(code) => throw Fail(src, name, "dtype", $"'{code}' is not supported by this engine (only F32, F64 and I64)."),
            _ => throw Fail(src, name, "dtype", $"unknown dtype '{Truncate(code)}' (expected F32, F64 or I64)."),
        };
    }

    private static int[] ParseShape(string name, JsonElement el, string src)
    {
        if (el.ValueKind != JsonValueKind.Array) throw Fail(src, name, "shape", $"must be an array of non-negative integers, got {el.ValueKind}.");
        var dims = new int[el.GetArrayLength()];
        int i = 0;
        foreach (var d in el.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long v))
                throw Fail(src, name, "shape", $"dimension {i} is not an integer ({Truncate(d.GetRawText())}).");
            if (v < 0) throw Fail(src, name, "shape", $"dimension {i} is negative ({v}).");
            if (v > int.MaxValue) throw Fail(src, name, "shape", $"dimension {i} ({v}) exceeds {int.MaxValue}.");
            dims[i++] = (int)v;
        }
        return dims;
    }

    private static (long Begin, long End) ParseOffsets(string name, JsonElement el, string src)
    {
        if (el.ValueKind != JsonValueKind.Array || el.GetArrayLength() != 2)
            throw Fail(src, name, "data_offsets", $"must be an array [begin, end], got {Truncate(el.GetRawText())}.");
        var v = new long[2];
        for (int i = 0; i < 2; i++)
        {
            var x = el[i];
            if (x.ValueKind != JsonValueKind.Number || !x.TryGetInt64(out v[i]) || v[i] < 0)
                throw Fail(src, name, "data_offsets", $"{(i == 0 ? "begin" : "end")} must be a non-negative integer below 2^63, got {Truncate(x.GetRawText())}.");
        }
        if (v[1] < v[0]) throw Fail(src, name, "data_offsets", $"end {v[1]} is before begin {v[0]}.");
        return (v[0], v[1]);
    }

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
