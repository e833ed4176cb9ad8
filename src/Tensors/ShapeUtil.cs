namespace MLNetDeep.Tensors;

/// <summary>Shape arithmetic shared by the tensor operations.</summary>
internal static class ShapeUtil
{
    public static int Numel(ReadOnlySpan<int> dims)
    {
        long n = 1;
        foreach (int d in dims)
        {
            if (d < 0) throw new ArgumentException($"Negative dimension {d} in shape.");
            n *= d;
        }
        if (n > int.MaxValue) throw new ArgumentException($"Tensor of {n} elements exceeds the 2^31-1 element limit.");
        return (int)n;
    }

    public static int[] ContiguousStrides(int[] dims)
    {
        var s = new int[dims.Length];
        int acc = 1;
        for (int i = dims.Length - 1; i >= 0; i--)
        {
            s[i] = acc;
            acc *= Math.Max(dims[i], 1);
        }
        return s;
    }

    public static bool IsContiguous(int[] dims, int[] strides)
    {
        foreach (int d in dims)
            if (d == 0) return true; // an empty tensor has no layout to violate
        int acc = 1;
        for (int i = dims.Length - 1; i >= 0; i--)
        {
            if (dims[i] == 1) continue;
            if (strides[i] != acc) return false;
            acc *= dims[i];
        }
        return true;
    }

    public static int NormalizeDim(int dim, int rank)
    {
        int d = dim < 0 ? dim + rank : dim;
        if (d < 0 || d >= Math.Max(rank, 1) || (rank == 0 && dim != 0 && dim != -1))
            throw new ArgumentOutOfRangeException(nameof(dim), $"Dimension {dim} out of range for a tensor of rank {rank}.");
        return d;
    }

    /// <summary>NumPy/PyTorch broadcasting of two shapes.</summary>
    public static int[] Broadcast(int[] a, int[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var r = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            int db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"Shapes {Format(a)} and {Format(b)} cannot be broadcast together (dim {i}: {da} vs {db}).");
            r[i] = da == 1 ? db : da;
        }
        return r;
    }

    public static bool SameShape(int[] a, int[] b) => a.AsSpan().SequenceEqual(b);

    public static string Format(ReadOnlySpan<int> dims) => "[" + string.Join(", ", dims.ToArray()) + "]";

    /// <summary>Resolves one -1 entry of a requested shape against a known element count.</summary>
    public static int[] InferShape(int[] shape, int numel)
    {
        var r = (int[])shape.Clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < r.Length; i++)
        {
            if (r[i] == -1)
            {
                if (infer >= 0) throw new ArgumentException("Only one dimension can be -1 in a reshape.");
                infer = i;
            }
            else if (r[i] < 0) throw new ArgumentException($"Invalid dimension {r[i]} in reshape.");
            else known *= r[i];
        }
        if (infer >= 0)
        {
            if (known == 0 || numel % known != 0) throw new ArgumentException($"Cannot reshape {numel} elements to {Format(shape)}.");
            r[infer] = (int)(numel / known);
        }
        else if (known != numel) throw new ArgumentException($"Cannot reshape {numel} elements to {Format(shape)}.");
        return r;
    }
}
