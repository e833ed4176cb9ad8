using System.Runtime.InteropServices;

namespace MLNetDeep.Tensors;

/// <summary>
/// An n-dimensional array with autograd. A tensor is a view (shape, strides, offset) over a managed
/// storage array; views share storage. Operations that record gradients live in the partial files
/// beside this one; everything the garbage collector can see, so no disposal is needed.
/// </summary>
public sealed partial class Tensor
{
    internal readonly Array Storage;
    internal readonly int Offset;
    internal readonly int[] Dims;
    internal readonly int[] Strides;

    /// <summary>Element type.</summary>
    public DType DType { get; }

    /// <summary>Number of elements.</summary>
    public int Numel { get; }

    internal Tensor(Array storage, int offset, int[] dims, int[] strides, DType dtype)
    {
        Storage = storage;
        Offset = offset;
        Dims = dims;
        Strides = strides;
        DType = dtype;
        Numel = ShapeUtil.Numel(dims);
    }

    /// <summary>A new contiguous tensor that owns <paramref name="storage"/> (no copy).</summary>
    internal static Tensor Wrap(Array storage, int[] dims, DType dtype) =>
        new(storage, 0, dims, ShapeUtil.ContiguousStrides(dims), dtype);

    /// <summary>The shape (a read-only view; copy with <c>ToArray()</c> to keep it).</summary>
    public ReadOnlySpan<int> Shape => Dims;

    /// <summary>Number of dimensions.</summary>
    public int Rank => Dims.Length;

    /// <summary>Size of dimension <paramref name="dim"/> (negative counts from the end).</summary>
    public int Size(int dim) => Dims[ShapeUtil.NormalizeDim(dim, Rank)];

    /// <summary>True when elements are laid out densely in row-major order.</summary>
    public bool IsContiguous => ShapeUtil.IsContiguous(Dims, Strides);

    /// <summary>True for floating-point tensors (the ones that can carry gradients).</summary>
    public bool IsFloatingPoint => DType != DType.Int64;

    // ---------------------------------------------------------------- data access

    /// <summary>The elements of a contiguous tensor as a span over its storage (writes go to the tensor).</summary>
    /// <exception cref="InvalidOperationException">The tensor is not contiguous or <typeparamref name="T"/> does not match.</exception>
    public Span<T> Data<T>() where T : unmanaged
    {
        if (!IsContiguous) throw new InvalidOperationException("Data<T>() needs a contiguous tensor; call Contiguous() first.");
        return Span<T>();
    }

    internal Span<T> Span<T>() where T : unmanaged
    {
        if (Storage is not T[] arr)
            throw new InvalidOperationException($"Tensor is {DType}, not {typeof(T).Name}.");
        return Numel == 0 ? default : arr.AsSpan(Offset, Numel);
    }

    internal T[] Arr<T>() => (T[])Storage;

    /// <summary>A row-major copy of the elements.</summary>
    public T[] ToArray<T>() where T : unmanaged => Contiguous().Span<T>().ToArray();

    /// <summary>Copies the elements to a float array, converting from any dtype.</summary>
    public float[] ToFloatArray() => DType switch
    {
        DType.Float32 => ToArray<float>(),
        DType.Float64 => Array.ConvertAll(ToArray<double>(), v => (float)v),
        _ => Array.ConvertAll(ToArray<long>(), v => (float)v),
    };

    /// <summary>Copies the elements to a double array, converting from any dtype.</summary>
    public double[] ToDoubleArray() => DType switch
    {
        DType.Float32 => Array.ConvertAll(ToArray<float>(), v => (double)v),
        DType.Float64 => ToArray<double>(),
        _ => Array.ConvertAll(ToArray<long>(), v => (double)v),
    };

    /// <summary>The value of a one-element tensor as a double.</summary>
    public double Item()
    {
        if (Numel != 1) throw new InvalidOperationException($"Item() needs a one-element tensor, got shape {ShapeUtil.Format(Dims)}.");
        return DType switch
        {
            DType.Float32 => Arr<float>()[Offset],
            DType.Float64 => Arr<double>()[Offset],
            _ => Arr<long>()[Offset],
        };
    }

    /// <summary>Element at a multi-dimensional index, as a double.</summary>
    [System.Runtime.CompilerServices.IndexerName("Element")]
    public double this[params int[] index]
    {
        get
        {
            int off = ElementOffset(index);
            return DType switch
            {
                DType.Float32 => Arr<float>()[off],
                DType.Float64 => Arr<double>()[off],
                _ => Arr<long>()[off],
            };
        }
    }

    private int ElementOffset(int[] index)
    {
        if (index.Length != Rank) throw new ArgumentException($"Index has {index.Length} dims, tensor has {Rank}.");
        int off = Offset;
        for (int d = 0; d < Rank; d++)
        {
            int i = index[d] < 0 ? index[d] + Dims[d] : index[d];
            if ((uint)i >= (uint)Dims[d]) throw new IndexOutOfRangeException($"Index {index[d]} out of range for dim {d} of size {Dims[d]}.");
            off += i * Strides[d];
        }
        return off;
    }

    internal static int ElementSize(DType dtype) => dtype == DType.Float32 ? 4 : 8;

    internal static Array NewStorage(DType dtype, int n) => dtype switch
    {
        DType.Float32 => new float[n],
        DType.Float64 => new double[n],
        _ => new long[n],
    };

    /// <summary>Raw bytes of the elements in row-major order (little-endian), for serialization.</summary>
    public byte[] ToBytes() => DType switch
    {
        DType.Float32 => MemoryMarshal.AsBytes(Contiguous().Span<float>()).ToArray(),
        DType.Float64 => MemoryMarshal.AsBytes(Contiguous().Span<double>()).ToArray(),
        _ => MemoryMarshal.AsBytes(Contiguous().Span<long>()).ToArray(),
    };

    /// <inheritdoc/>
    public override string ToString() => TensorFormatter.Format(this);
}
