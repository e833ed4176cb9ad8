using MLNetDeep.Tensors;

namespace MLNetDeep.Onnx.Operators;

/// <summary>Small helpers shared by the operator kernels (shape arithmetic, dtype plumbing, data access).</summary>
internal static class OpUtil
{
    /// <summary>Wraps an integer value's data to the range of its element type (uint8 arithmetic wraps mod 256, …).</summary>
    public static OnnxValue Wrapped(this OnnxValue v)
    {
        if (v.Tensor.DType != DType.Int64 || v.ElementType is OnnxElementType.Int64 or OnnxElementType.UInt64) return v;
        var t = v.Tensor.Contiguous();
        var s = t.Data<long>();
        Func<long, long> f = v.ElementType switch
        {
            OnnxElementType.UInt8 => x => (byte)x,
            OnnxElementType.Int8 => x => (sbyte)x,
            OnnxElementType.UInt16 => x => (ushort)x,
            OnnxElementType.Int16 => x => (short)x,
            OnnxElementType.Int32 => x => (int)x,
            OnnxElementType.UInt32 => x => (uint)x,
            _ => x => x != 0 ? 1 : 0,
        };
        bool ok = true;
        foreach (long x in s) if (f(x) != x) { ok = false; break; }
        if (ok) return v;
        var r = new long[s.Length];
        for (int i = 0; i < r.Length; i++) r[i] = f(s[i]);
        return new OnnxValue(Make.T(r, t.Shape.ToArray()), v.ElementType);
    }

    /// <summary>The required input <paramref name="i"/>.</summary>
    public static OnnxValue In(this OnnxValue?[] inputs, int i, OnnxNode node) =>
        i < inputs.Length && inputs[i] is { } v ? v : throw node.RunError($"required input {i} is missing.");

    /// <summary>Optional input <paramref name="i"/> or null.</summary>
    public static OnnxValue? Opt(this OnnxValue?[] inputs, int i) => i < inputs.Length ? inputs[i] : null;

    /// <summary>All elements of an integer (or float) value as longs.</summary>
    public static long[] Longs(this OnnxValue v)
    {
        var t = v.Tensor.Contiguous();
        if (t.DType == DType.Int64) return t.Data<long>().ToArray();
        return t.ToDoubleArray().Select(d => (long)d).ToArray();
    }

    /// <summary>All elements as doubles.</summary>
    public static double[] Doubles(this OnnxValue v) => v.Tensor.Contiguous().ToDoubleArray();

    /// <summary>The single element of a scalar (or one-element) value as a double.</summary>
    public static double Scalar(this OnnxValue v, OnnxNode node)
    {
        if (v.Tensor.Numel != 1) throw node.RunError($"expected a scalar, got shape [{string.Join(",", v.Shape.ToArray())}].");
        return v.Tensor.DType == DType.Int64 ? v.Tensor.Contiguous().Data<long>()[0] : v.Tensor.Contiguous().ToDoubleArray()[0];
    }

    /// <summary>Normalizes a possibly negative axis for rank <paramref name="rank"/>.</summary>
    public static int Axis(long axis, int rank, OnnxNode node)
    {
        if (axis < -rank || axis >= rank) throw node.RunError($"axis {axis} is out of range for rank {rank}.");
        return (int)(axis < 0 ? axis + rank : axis);
    }

    /// <summary>NumPy broadcast of two shapes.</summary>
    public static int[] Broadcast(ReadOnlySpan<int> a, ReadOnlySpan<int> b, OnnxNode node)
    {
        int r = Math.Max(a.Length, b.Length);
        var s = new int[r];
        for (int i = 0; i < r; i++)
        {
            int x = i - (r - a.Length) >= 0 ? a[i - (r - a.Length)] : 1;
            int y = i - (r - b.Length) >= 0 ? b[i - (r - b.Length)] : 1;
            if (x != y && x != 1 && y != 1)
                throw node.RunError($"shapes [{string.Join(",", a.ToArray())}] and [{string.Join(",", b.ToArray())}] do not broadcast.");
            s[i] = x == 1 ? y : x;
        }
        return s;
    }

    /// <summary>A view of <paramref name="t"/> broadcast to <paramref name="shape"/> (leading dims added as needed).</summary>
    public static Tensor ExpandTo(Tensor t, int[] shape)
    {
        if (t.Shape.SequenceEqual(shape)) return t;
        if (t.Rank < shape.Length)
        {
            var dims = new int[shape.Length];
            Array.Fill(dims, 1);
            t.Shape.CopyTo(dims.AsSpan(shape.Length - t.Rank));
            t = t.Reshape(dims);
        }
        return t.Expand(shape);
    }

    /// <summary>Contiguous data of <paramref name="t"/> broadcast to <paramref name="shape"/>.</summary>
    public static T[] DataAs<T>(Tensor t, int[] shape) where T : unmanaged
    {
        return ExpandTo(t, shape).ToArray<T>();
    }

    /// <summary>A value from long data.</summary>
    public static OnnxValue FromLongs(long[] data, int[] shape, OnnxElementType type = OnnxElementType.Int64) =>
        new OnnxValue(Make.T(data, shape), type).Wrapped();

    /// <summary>A value of the given float-like <paramref name="type"/> from double data.</summary>
    public static OnnxValue FromDoubles(double[] data, int[] shape, OnnxElementType type)
    {
        switch (OnnxValue.StorageOf(type))
        {
            case DType.Float32:
                return new OnnxValue(Make.T(data.Select(d => (float)d).ToArray(), shape), type).Rounded();
            case DType.Float64:
                return new OnnxValue(Make.T(data, shape), type);
            default:
                return FromLongs(data.Select(ToLongSaturating).ToArray(), shape, type);
        }
    }

    /// <summary>double → long with truncation; NaN → 0 and out-of-range values saturate.</summary>
    public static long ToLongSaturating(double d) =>
        double.IsNaN(d) ? 0 : d >= 9.2233720368547758E18 ? long.MaxValue : d <= -9.2233720368547758E18 ? long.MinValue : (long)d;

    /// <summary>Rounds float16/bfloat16 values (kept in float32) to their type's precision.</summary>
    public static OnnxValue Rounded(this OnnxValue v)
    {
        if (v.ElementType is not (OnnxElementType.Float16 or OnnxElementType.BFloat16)) return v;
        var a = v.Tensor.Contiguous().ToArray<float>();
        for (int i = 0; i < a.Length; i++)
            a[i] = v.ElementType == OnnxElementType.Float16 ? (float)(Half)a[i] : OnnxTensorCodec.BFloat16ToFloat(OnnxTensorCodec.FloatToBFloat16(a[i]));
        return new OnnxValue(Make.T(a, v.Shape.ToArray()), v.ElementType);
    }

    /// <summary>Checks a shape computed from data against the runtime element limit before it is allocated.</summary>
    public static int[] CheckedShape(IReadOnlyList<long> dims, OnnxNode node)
    {
        if (dims.Count > node.Limits.MaxRank) throw node.RunError($"rank {dims.Count} exceeds the limit {node.Limits.MaxRank}.");
        var r = new int[dims.Count];
        long n = 1;
        for (int i = 0; i < r.Length; i++)
        {
            long d = dims[i];
            if (d < 0) throw node.RunError($"dim {i} is negative ({d}).");
            if (d > node.Limits.MaxRuntimeTensorElements || (n *= d) > node.Limits.MaxRuntimeTensorElements)
                throw node.RunError($"shape has more elements than the limit {node.Limits.MaxRuntimeTensorElements}.");
            r[i] = (int)d;
        }
        return r;
    }

    /// <summary>Product of dims [from, to).</summary>
    public static int Prod(ReadOnlySpan<int> dims, int from, int to)
    {
        int p = 1;
        for (int i = from; i < to; i++) p *= dims[i];
        return p;
    }
}

/// <summary>Builds engine tensors of any rank (including rank 0) from arrays.</summary>
internal static class Make
{
    public static Tensor T(float[] data, params int[] shape) => Tensor.FromArray(data, data.Length).Reshape(shape);
    public static Tensor T(double[] data, params int[] shape) => Tensor.FromArray(data, data.Length).Reshape(shape);
    public static Tensor T(long[] data, params int[] shape) => Tensor.FromArray(data, data.Length).Reshape(shape);
}
