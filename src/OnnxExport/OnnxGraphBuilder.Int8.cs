using Google.Protobuf;
using MLNetDeep.OnnxExport.Schema;
using DataType = MLNetDeep.OnnxExport.Schema.TensorProto.Types.DataType;

namespace MLNetDeep.OnnxExport;

public sealed partial class OnnxGraphBuilder
{
    /// <summary>Adds an int8 initializer (e.g. quantized weights) of the given shape and returns its unique name.</summary>
    /// <param name="name">Preferred name (not scoped).</param>
    /// <param name="values">Row-major values.</param>
    /// <param name="dims">Shape; empty for a scalar.</param>
    public string AddInt8Initializer(string name, ReadOnlySpan<sbyte> values, params int[] dims) =>
        AddRawInitializer(name, DataType.Int8, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values), dims);

    /// <summary>Adds a uint8 initializer (e.g. an activation zero point) of the given shape and returns its unique name.</summary>
    /// <param name="name">Preferred name (not scoped).</param>
    /// <param name="values">Row-major values.</param>
    /// <param name="dims">Shape; empty for a scalar.</param>
    public string AddUInt8Initializer(string name, ReadOnlySpan<byte> values, params int[] dims) =>
        AddRawInitializer(name, DataType.Uint8, values, dims);

    private string AddRawInitializer(string name, DataType type, ReadOnlySpan<byte> raw, int[] dims)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        long count = dims.Aggregate(1L, (a, b) => a * b);
        if (count != raw.Length) throw new ArgumentException($"Shape [{string.Join(", ", dims)}] needs {count} values, got {raw.Length}.", nameof(dims));
        string unique = Unique(name, _values, _valueCounters);
        _values.Add(unique);
        var proto = new TensorProto { Name = unique, DataType = (int)type, RawData = ByteString.CopyFrom(raw) };
        foreach (int d in dims) proto.Dims.Add(d);
        _elemTypes[unique] = type;
        _graph.Initializer.Add(proto);
        return unique;
    }
}
