namespace MLNetDeep.Tensors;

public sealed partial class Tensor
{
    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(int[] shape, DType dtype = DType.Float32) =>
        Wrap(NewStorage(dtype, ShapeUtil.Numel(shape)), (int[])shape.Clone(), dtype);

    /// <summary>A float32 tensor of zeros.</summary>
    public static Tensor Zeros(params int[] shape) => Zeros(shape, DType.Float32);

    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(int[] shape, DType dtype = DType.Float32) => Full(shape, 1.0, dtype);

    /// <summary>A float32 tensor of ones.</summary>
    public static Tensor Ones(params int[] shape) => Full(shape, 1.0, DType.Float32);

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(int[] shape, double value, DType dtype = DType.Float32)
    {
        var t = Zeros(shape, dtype);
        t.FillInPlace(value);
        return t;
    }

    /// <summary>A zero-dimensional tensor holding <paramref name="value"/>.</summary>
    public static Tensor Scalar(double value, DType dtype = DType.Float32) => Full([], value, dtype);

    /// <summary>Zeros with the shape and dtype of <paramref name="like"/>.</summary>
    public static Tensor ZerosLike(Tensor like) => Zeros(like.Dims, like.DType);

    /// <summary>Ones with the shape and dtype of <paramref name="like"/>.</summary>
    public static Tensor OnesLike(Tensor like) => Full(like.Dims, 1.0, like.DType);

    /// <summary>A float32 tensor from data (copied) and a shape; the shape defaults to one dimension.</summary>
    public static Tensor FromArray(float[] data, params int[] shape) => FromData(data, shape, DType.Float32);

    /// <summary>A float64 tensor from data (copied).</summary>
    public static Tensor FromArray(double[] data, params int[] shape) => FromData(data, shape, DType.Float64);

    /// <summary>An int64 tensor from data (copied).</summary>
    public static Tensor FromArray(long[] data, params int[] shape) => FromData(data, shape, DType.Int64);

    private static Tensor FromData<T>(T[] data, int[] shape, DType dtype)
    {
        int[] dims = shape.Length == 0 ? [data.Length] : (int[])shape.Clone();
        if (ShapeUtil.Numel(dims) != data.Length)
            throw new ArgumentException($"Data has {data.Length} elements but shape {ShapeUtil.Format(dims)} needs {ShapeUtil.Numel(dims)}.");
        return Wrap((T[])data.Clone(), dims, dtype);
    }

    /// <summary>0, 1, …, n−1.</summary>
    public static Tensor Arange(int n, DType dtype = DType.Float32)
    {
        var t = Zeros([n], dtype);
        for (int i = 0; i < n; i++) t.SetFlat(i, i);
        return t;
    }

    /// <summary>Uniform samples in [low, high).</summary>
    public static Tensor Rand(int[] shape, Generator? generator = null, double low = 0, double high = 1, DType dtype = DType.Float32)
    {
        var g = generator ?? Generator.Default;
        var t = Zeros(shape, dtype);
        for (int i = 0; i < t.Numel; i++) t.SetFlat(i, low + (high - low) * g.NextDouble());
        return t;
    }

    /// <summary>Normal samples with the given mean and standard deviation.</summary>
    public static Tensor Randn(int[] shape, Generator? generator = null, double mean = 0, double std = 1, DType dtype = DType.Float32)
    {
        var g = generator ?? Generator.Default;
        var t = Zeros(shape, dtype);
        for (int i = 0; i < t.Numel; i++) t.SetFlat(i, mean + std * g.NextNormal());
        return t;
    }

    /// <summary>Uniform integers in [low, high) as int64.</summary>
    public static Tensor RandInt(int[] shape, long low, long high, Generator? generator = null)
    {
        var g = generator ?? Generator.Default;
        var t = Zeros(shape, DType.Int64);
        var s = t.Span<long>();
        for (int i = 0; i < s.Length; i++) s[i] = low + g.NextInt((int)(high - low));
        return t;
    }

    /// <summary>Writes element <paramref name="i"/> of a contiguous tensor (converting the value to the dtype).</summary>
    internal void SetFlat(int i, double v)
    {
        switch (DType)
        {
            case DType.Float32: Arr<float>()[Offset + i] = (float)v; break;
            case DType.Float64: Arr<double>()[Offset + i] = v; break;
            default: Arr<long>()[Offset + i] = (long)v; break;
        }
    }

    /// <summary>A copy converted to <paramref name="dtype"/> (no gradient flows through integer conversions).</summary>
    public Tensor To(DType dtype)
    {
        if (dtype == DType) return this;
        var src = Contiguous();
        var r = Zeros(Dims, dtype);
        switch ((src.DType, dtype))
        {
            case (DType.Float32, DType.Float64): { var a = src.Span<float>(); var b = r.Span<double>(); for (int i = 0; i < a.Length; i++) b[i] = a[i]; break; }
            case (DType.Float64, DType.Float32): { var a = src.Span<double>(); var b = r.Span<float>(); for (int i = 0; i < a.Length; i++) b[i] = (float)a[i]; break; }
            case (DType.Int64, DType.Float32): { var a = src.Span<long>(); var b = r.Span<float>(); for (int i = 0; i < a.Length; i++) b[i] = a[i]; break; }
            case (DType.Int64, DType.Float64): { var a = src.Span<long>(); var b = r.Span<double>(); for (int i = 0; i < a.Length; i++) b[i] = a[i]; break; }
            case (DType.Float32, DType.Int64): { var a = src.Span<float>(); var b = r.Span<long>(); for (int i = 0; i < a.Length; i++) b[i] = (long)a[i]; break; }
            default: { var a = src.Span<double>(); var b = r.Span<long>(); for (int i = 0; i < a.Length; i++) b[i] = (long)a[i]; break; }
        }
        if (IsFloatingPoint && dtype != DType.Int64)
        {
            DType from = DType;
            return Record(r, "To", [this], g => [g.To(from)]);
        }
        return r;
    }
}
