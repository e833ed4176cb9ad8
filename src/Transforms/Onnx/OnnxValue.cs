using MLNetDeep.Tensors;

namespace MLNetDeep.Onnx;

/// <summary>ONNX tensor element types the runtime understands (values are TensorProto.DataType numbers).</summary>
public enum OnnxElementType
{
    /// <summary>float32 (stored as a Float32 tensor).</summary>
    Float = 1,
    /// <summary>uint8 (stored as Int64).</summary>
    UInt8 = 2,
    /// <summary>int8 (stored as Int64).</summary>
    Int8 = 3,
    /// <summary>uint16 (stored as Int64).</summary>
    UInt16 = 4,
    /// <summary>int16 (stored as Int64).</summary>
    Int16 = 5,
    /// <summary>int32 (stored as Int64).</summary>
    Int32 = 6,
    /// <summary>int64 (stored as Int64).</summary>
    Int64 = 7,
    /// <summary>bool (stored as Int64 0/1).</summary>
    Bool = 9,
    /// <summary>float16 (stored as Float32 holding float16-representable values).</summary>
    Float16 = 10,
    /// <summary>float64 (stored as Float64).</summary>
    Double = 11,
    /// <summary>uint32 (stored as Int64).</summary>
    UInt32 = 12,
    /// <summary>uint64 (stored as Int64; values above long.MaxValue are not representable).</summary>
    UInt64 = 13,
    /// <summary>bfloat16 (stored as Float32 holding bfloat16-representable values).</summary>
    BFloat16 = 16,
}

/// <summary>
/// A runtime value: an engine <see cref="Tensor"/> plus the ONNX element type it represents.
/// Float32 models use Float32 tensors directly; integer and bool types live in Int64 tensors,
/// float16/bfloat16 in Float32 tensors, double in Float64 tensors.
/// </summary>
public sealed class OnnxValue
{
    /// <summary>The data.</summary>
    public Tensor Tensor { get; }

    /// <summary>The ONNX element type.</summary>
    public OnnxElementType ElementType { get; }

    /// <summary>Wraps a tensor; its dtype must be the storage dtype of <paramref name="type"/>.</summary>
    public OnnxValue(Tensor tensor, OnnxElementType type)
    {
        if (tensor.DType != StorageOf(type))
            throw new ArgumentException($"An ONNX {type} value needs a {StorageOf(type)} tensor, got {tensor.DType}.", nameof(tensor));
        Tensor = tensor;
        ElementType = type;
    }

    /// <summary>A float32, float64 or int64 value from an engine tensor of that dtype.</summary>
    public static OnnxValue From(Tensor tensor) => new(tensor, tensor.DType switch
    {
        DType.Float32 => OnnxElementType.Float,
        DType.Float64 => OnnxElementType.Double,
        _ => OnnxElementType.Int64,
    });

    /// <summary>Shape of the value.</summary>
    public ReadOnlySpan<int> Shape => Tensor.Shape;

    /// <summary>The engine dtype that stores values of <paramref name="type"/>.</summary>
    public static DType StorageOf(OnnxElementType type) => type switch
    {
        OnnxElementType.Float or OnnxElementType.Float16 or OnnxElementType.BFloat16 => DType.Float32,
        OnnxElementType.Double => DType.Float64,
        _ => DType.Int64,
    };

    /// <summary>True for float, float16, bfloat16 and double.</summary>
    public bool IsFloat => Tensor.DType != DType.Int64;

    /// <summary>Size in bytes of one element of <paramref name="type"/> in an ONNX file.</summary>
    public static int ElementSize(OnnxElementType type) => type switch
    {
        OnnxElementType.UInt8 or OnnxElementType.Int8 or OnnxElementType.Bool => 1,
        OnnxElementType.UInt16 or OnnxElementType.Int16 or OnnxElementType.Float16 or OnnxElementType.BFloat16 => 2,
        OnnxElementType.Float or OnnxElementType.Int32 or OnnxElementType.UInt32 => 4,
        _ => 8,
    };

    /// <summary>True when <paramref name="code"/> is a TensorProto data type this runtime supports.</summary>
    public static bool IsSupported(int code) => Enum.IsDefined(typeof(OnnxElementType), code);

    /// <inheritdoc />
    public override string ToString() => $"{ElementType}[{string.Join(",", Tensor.Shape.ToArray())}]";
}
