using System.Buffers.Binary;
using MLNetDeep.Onnx.Operators;
using MLNetDeep.OnnxExport.Schema;
using MLNetDeep.Tensors;

namespace MLNetDeep.Onnx;

/// <summary>
/// Converts between <see cref="TensorProto"/> and <see cref="OnnxValue"/>. Decoding checks the declared
/// dims, element count, byte size and data length against the limits before it allocates the result.
/// </summary>
public static class OnnxTensorCodec
{
    /// <summary>Decodes <paramref name="proto"/>; <paramref name="location"/> names it in errors.</summary>
    /// <exception cref="OnnxModelException">Malformed or unsupported tensor, or a limit is exceeded.</exception>
    public static OnnxValue Decode(TensorProto proto, string location, OnnxLoadOptions? limits = null)
    {
        limits ??= OnnxLoadOptions.Default;
        if (proto.HasDataLocation && proto.DataLocation == TensorProto.Types.DataLocation.External || proto.ExternalData.Count > 0)
            throw new OnnxModelException(location, "external tensor data is not supported (the runtime reads only the model file).");
        if (proto.Segment is not null) throw new OnnxModelException(location, "segmented tensors are not supported.");
        if (!OnnxValue.IsSupported(proto.DataType))
            throw new OnnxModelException(location, $"element type {proto.DataType} is not supported.");
        var type = (OnnxElementType)proto.DataType;
        if (proto.Dims.Count > limits.MaxRank)
            throw new OnnxLimitException(location, $"rank {proto.Dims.Count} exceeds the limit {limits.MaxRank}.");
        var dims = new int[proto.Dims.Count];
        long count = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            long d = proto.Dims[i];
            if (d < 0) throw new OnnxModelException(location, $"dim {i} is negative ({d}).");
            if (d > limits.MaxTensorElements) throw new OnnxLimitException(location, $"dim {i} = {d} exceeds the element limit {limits.MaxTensorElements}.");
            count *= d; // both factors ≤ 2^31 here, so no overflow before the check below
            if (count > limits.MaxTensorElements)
                throw new OnnxLimitException(location, $"{count}+ elements exceed the limit {limits.MaxTensorElements}.");
            dims[i] = (int)d;
        }
        int size = OnnxValue.ElementSize(type);
        if (count * size > limits.MaxTensorBytes)
            throw new OnnxLimitException(location, $"{count * size} bytes exceed the tensor limit {limits.MaxTensorBytes}.");
        int n = (int)count;
        if (proto.HasRawData)
        {
            if (proto.RawData.Length != (long)n * size)
                throw new OnnxModelException(location, $"raw_data has {proto.RawData.Length} bytes, but dims × element size = {(long)n * size}.");
            return FromRaw(proto.RawData.Span, dims, type);
        }
        int typed = type switch
        {
            OnnxElementType.Float => proto.FloatData.Count,
            OnnxElementType.Double => proto.DoubleData.Count,
            OnnxElementType.Int64 => proto.Int64Data.Count,
            OnnxElementType.UInt32 or OnnxElementType.UInt64 => proto.Uint64Data.Count,
            _ => proto.Int32Data.Count,
        };
        if (typed != n) throw new OnnxModelException(location, $"has {typed} data values, but dims declare {n}.");
        switch (OnnxValue.StorageOf(type))
        {
            case DType.Float32:
            {
                var a = new float[n];
                for (int i = 0; i < n; i++)
                    a[i] = type == OnnxElementType.Float ? proto.FloatData[i]
                        : type == OnnxElementType.Float16 ? (float)BitConverter.UInt16BitsToHalf((ushort)proto.Int32Data[i])
                        : BFloat16ToFloat((ushort)proto.Int32Data[i]);
                return new OnnxValue(Make.T(a, dims), type);
            }
            case DType.Float64:
            {
                var a = new double[n];
                for (int i = 0; i < n; i++) a[i] = proto.DoubleData[i];
                return new OnnxValue(Make.T(a, dims), type);
            }
            default:
            {
                var a = new long[n];
                for (int i = 0; i < n; i++)
                    a[i] = type switch
                    {
                        OnnxElementType.Int64 => proto.Int64Data[i],
                        OnnxElementType.UInt32 or OnnxElementType.UInt64 => (long)proto.Uint64Data[i],
                        _ => proto.Int32Data[i],
                    };
                return new OnnxValue(Make.T(a, dims), type).Wrapped();
            }
        }
    }

    private static OnnxValue FromRaw(ReadOnlySpan<byte> raw, int[] dims, OnnxElementType type)
    {
        int n = ShapeOf(dims);
        switch (OnnxValue.StorageOf(type))
        {
            case DType.Float32:
            {
                var a = new float[n];
                for (int i = 0; i < n; i++)
                    a[i] = type switch
                    {
                        OnnxElementType.Float => BinaryPrimitives.ReadSingleLittleEndian(raw[(4 * i)..]),
                        OnnxElementType.Float16 => (float)BinaryPrimitives.ReadHalfLittleEndian(raw[(2 * i)..]),
                        _ => BFloat16ToFloat(BinaryPrimitives.ReadUInt16LittleEndian(raw[(2 * i)..])),
                    };
                return new OnnxValue(Make.T(a, dims), type);
            }
            case DType.Float64:
            {
                var a = new double[n];
                for (int i = 0; i < n; i++) a[i] = BinaryPrimitives.ReadDoubleLittleEndian(raw[(8 * i)..]);
                return new OnnxValue(Make.T(a, dims), type);
            }
            default:
            {
                var a = new long[n];
                for (int i = 0; i < n; i++)
                    a[i] = type switch
                    {
                        OnnxElementType.UInt8 => raw[i],
                        OnnxElementType.Int8 => (sbyte)raw[i],
                        OnnxElementType.Bool => raw[i] != 0 ? 1 : 0,
                        OnnxElementType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(raw[(2 * i)..]),
                        OnnxElementType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(raw[(2 * i)..]),
                        OnnxElementType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(raw[(4 * i)..]),
                        OnnxElementType.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(raw[(4 * i)..]),
                        _ => BinaryPrimitives.ReadInt64LittleEndian(raw[(8 * i)..]),
                    };
                return new OnnxValue(Make.T(a, dims), type);
            }
        }
    }

    private static int ShapeOf(int[] dims)
    {
        long n = 1;
        foreach (int d in dims) n *= d;
        return (int)n;
    }

    /// <summary>Encodes a value as a TensorProto with raw little-endian data.</summary>
    public static TensorProto Encode(OnnxValue value, string name = "")
    {
        var p = new TensorProto { Name = name, DataType = (int)value.ElementType };
        foreach (int d in value.Shape) p.Dims.Add(d);
        var t = value.Tensor.Contiguous();
        int n = t.Numel, size = OnnxValue.ElementSize(value.ElementType);
        var raw = new byte[(long)n * size];
        switch (t.DType)
        {
            case DType.Float32:
            {
                var s = t.Data<float>();
                for (int i = 0; i < n; i++)
                {
                    if (value.ElementType == OnnxElementType.Float) BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(4 * i), s[i]);
                    else if (value.ElementType == OnnxElementType.Float16) BinaryPrimitives.WriteHalfLittleEndian(raw.AsSpan(2 * i), (Half)s[i]);
                    else BinaryPrimitives.WriteUInt16LittleEndian(raw.AsSpan(2 * i), FloatToBFloat16(s[i]));
                }
                break;
            }
            case DType.Float64:
            {
                var s = t.Data<double>();
                for (int i = 0; i < n; i++) BinaryPrimitives.WriteDoubleLittleEndian(raw.AsSpan(8 * i), s[i]);
                break;
            }
            default:
            {
                var s = t.Data<long>();
                for (int i = 0; i < n; i++)
                {
                    long v = s[i];
                    switch (size)
                    {
                        case 1: raw[i] = (byte)v; break;
                        case 2: BinaryPrimitives.WriteInt16LittleEndian(raw.AsSpan(2 * i), (short)v); break;
                        case 4: BinaryPrimitives.WriteInt32LittleEndian(raw.AsSpan(4 * i), (int)v); break;
                        default: BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(8 * i), v); break;
                    }
                }
                break;
            }
        }
        p.RawData = Google.Protobuf.ByteString.CopyFrom(raw);
        return p;
    }

    /// <summary>bfloat16 bits → float.</summary>
    public static float BFloat16ToFloat(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    /// <summary>float → bfloat16 bits (round to nearest even; NaN stays NaN).</summary>
    public static ushort FloatToBFloat16(float v)
    {
        if (float.IsNaN(v)) return 0x7FC0;
        uint u = BitConverter.SingleToUInt32Bits(v);
        u += 0x7FFF + ((u >> 16) & 1);
        return (ushort)(u >> 16);
    }
}
