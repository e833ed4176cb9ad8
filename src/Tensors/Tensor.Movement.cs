using MLNetDeep.Tensors.Kernels;

namespace MLNetDeep.Tensors;

/// <summary>Movement primitives: views over the same storage (reshape, permute, slice, expand) and copies.</summary>
public sealed partial class Tensor
{
    /// <summary>A view broadcast to <paramref name="shape"/> (stride 0 on broadcast dims), without recording.</summary>
    internal Tensor ExpandView(int[] shape)
    {
        if (ShapeUtil.SameShape(shape, Dims)) return this;
        int lead = shape.Length - Rank;
        if (lead < 0) throw new ArgumentException($"Cannot expand {ShapeUtil.Format(Dims)} to fewer dims {ShapeUtil.Format(shape)}.");
        var strides = new int[shape.Length];
        var dims = new int[shape.Length];
        for (int i = 0; i < shape.Length; i++)
        {
            int target = shape[i];
            if (i < lead) { dims[i] = target; strides[i] = 0; continue; }
            int d = Dims[i - lead];
            if (target == -1) target = d;
            if (d == target) { dims[i] = d; strides[i] = Strides[i - lead]; }
            else if (d == 1) { dims[i] = target; strides[i] = 0; }
            else throw new ArgumentException($"Cannot expand {ShapeUtil.Format(Dims)} to {ShapeUtil.Format(shape)}: dim {i} is {d}.");
        }
        return new Tensor(Storage, Offset, dims, strides, DType);
    }

    /// <summary>Broadcasts to a larger shape as a view (−1 keeps a dimension). Gradient sums back.</summary>
    public Tensor Expand(params int[] shape)
    {
        var y = ExpandView(shape);
        if (ReferenceEquals(y, this)) return this;
        return Record(y, "Expand", [this], g => [g.SumTo(Dims)]);
    }

    /// <summary>Sums a broadcast gradient back down to <paramref name="shape"/>.</summary>
    public Tensor SumTo(ReadOnlySpan<int> shape)
    {
        if (shape.SequenceEqual(Dims)) return this;
        int lead = Rank - shape.Length;
        var axes = new List<int>();
        for (int i = 0; i < Rank; i++)
            if (i < lead || (shape[i - lead] == 1 && Dims[i] != 1)) axes.Add(i);
        var s = axes.Count > 0 ? Sum(axes.ToArray(), keepDim: true) : this;
        return s.Reshape(shape.ToArray());
    }

    /// <summary>A contiguous tensor with the same values: this one if already contiguous (unless <paramref name="force"/>).</summary>
    public Tensor Contiguous(bool force = false)
    {
        if (IsContiguous && !force) return this;
        var y = Uninitialized(Dims, DType);
        CopyStrided(this, y);
        return Record(y, "Contiguous", [this], g => [g]);
    }

    private static void CopyStrided(Tensor src, Tensor dst)
    {
        switch (src.DType)
        {
            case DType.Float32: Elementwise.Copy<float>(src, dst); break;
            case DType.Float64: Elementwise.Copy<double>(src, dst); break;
            default: Elementwise.Copy<long>(src, dst); break;
        }
    }

    /// <summary>Copies <paramref name="source"/> (broadcast to this shape) into this tensor in place; not recorded.</summary>
    public Tensor CopyFrom(Tensor source)
    {
        if (source.DType != DType) source = source.Detach().To(DType);
        CopyStrided(source.ExpandView(Dims), this);
        return this;
    }

    /// <summary>Sets every element to <paramref name="value"/> in place; not recorded.</summary>
    public Tensor FillInPlace(double value)
    {
        if (IsContiguous)
        {
            switch (DType)
            {
                case DType.Float32: Span<float>().Fill((float)value); break;
                case DType.Float64: Span<double>().Fill(value); break;
                default: Span<long>().Fill((long)value); break;
            }
            return this;
        }
        return CopyFrom(Scalar(value, DType));
    }

    /// <summary>Same data, new shape (one entry may be −1). A view when contiguous, else a copy.</summary>
    public Tensor Reshape(params int[] shape)
    {
        var dims = ShapeUtil.InferShape(shape, Numel);
        if (ShapeUtil.SameShape(dims, Dims)) return this;
        var src = Contiguous();
        var y = new Tensor(src.Storage, src.Offset, dims, ShapeUtil.ContiguousStrides(dims), DType);
        return Record(y, "Reshape", [src], g => [g.Reshape(Dims)]);
    }

    /// <summary>Alias of <see cref="Reshape"/>.</summary>
    public Tensor View(params int[] shape) => Reshape(shape);

    /// <summary>Flattens dims [startDim, endDim] into one.</summary>
    public Tensor Flatten(int startDim = 0, int endDim = -1)
    {
        if (Rank == 0) return Reshape(1);
        int s = ShapeUtil.NormalizeDim(startDim, Rank), e = ShapeUtil.NormalizeDim(endDim, Rank);
        var dims = new List<int>(Dims[..s]) { Dims[s..(e + 1)].Aggregate(1, (x, y) => x * y) };
        dims.AddRange(Dims[(e + 1)..]);
        return Reshape(dims.ToArray());
    }

    /// <summary>Reorders dimensions (a view).</summary>
    public Tensor Permute(params int[] order)
    {
        if (order.Length != Rank) throw new ArgumentException($"Permute needs {Rank} dims, got {order.Length}.");
        var dims = new int[Rank];
        var strides = new int[Rank];
        var inverse = new int[Rank];
        var seen = new bool[Rank];
        for (int i = 0; i < Rank; i++)
        {
            int d = ShapeUtil.NormalizeDim(order[i], Rank);
            if (seen[d]) throw new ArgumentException($"Permute order repeats dim {d}.");
            seen[d] = true;
            dims[i] = Dims[d];
            strides[i] = Strides[d];
            inverse[d] = i;
        }
        var y = new Tensor(Storage, Offset, dims, strides, DType);
        return Record(y, "Permute", [this], g => [g.Permute(inverse)]);
    }

    /// <summary>Swaps two dimensions (a view).</summary>
    public Tensor Transpose(int dim0, int dim1)
    {
        var order = Enumerable.Range(0, Rank).ToArray();
        int a = ShapeUtil.NormalizeDim(dim0, Rank), b = ShapeUtil.NormalizeDim(dim1, Rank);
        (order[a], order[b]) = (order[b], order[a]);
        return Permute(order);
    }

    /// <summary>Transpose of a 2-D tensor (a view).</summary>
    public Tensor T => Rank == 2 ? Transpose(0, 1) : throw new InvalidOperationException($"T needs a 2-D tensor, got rank {Rank}.");

    /// <summary>Elements start, start+step, … below end along <paramref name="dim"/> (a view; negative indices count from the end).</summary>
    public Tensor Slice(int dim, int start, int end, int step = 1)
    {
        int d = ShapeUtil.NormalizeDim(dim, Rank);
        int size = Dims[d];
        if (step <= 0) throw new ArgumentOutOfRangeException(nameof(step), "Slice step must be positive.");
        if (start < 0) start += size;
        if (end < 0) end += size;
        start = Math.Clamp(start, 0, size);
        end = Math.Clamp(end, start, size);
        var dims = (int[])Dims.Clone();
        var strides = (int[])Strides.Clone();
        dims[d] = (end - start + step - 1) / step;
        strides[d] = Strides[d] * step;
        var y = new Tensor(Storage, Offset + start * Strides[d], dims, strides, DType);
        return Record(y, "Slice", [this], g =>
        {
            var full = Zeros(Dims, g.DType);
            full.Slice(d, start, end, step).CopyFrom(g);
            return [full];
        });
    }

    /// <summary><paramref name="length"/> elements from <paramref name="start"/> along <paramref name="dim"/> (a view).</summary>
    public Tensor Narrow(int dim, int start, int length) => Slice(dim, start, start + length);

    /// <summary>Element <paramref name="index"/> of dimension <paramref name="dim"/>, removing that dimension (a view).</summary>
    public Tensor Select(int dim, int index)
    {
        int d = ShapeUtil.NormalizeDim(dim, Rank);
        if (index < 0) index += Dims[d];
        if ((uint)index >= (uint)Dims[d]) throw new IndexOutOfRangeException($"Index {index} out of range for dim {d} of size {Dims[d]}.");
        return Slice(d, index, index + 1).Squeeze(d);
    }

    /// <summary>Inserts a dimension of size 1 at <paramref name="dim"/>.</summary>
    public Tensor Unsqueeze(int dim)
    {
        int d = dim < 0 ? dim + Rank + 1 : dim;
        if (d < 0 || d > Rank) throw new ArgumentOutOfRangeException(nameof(dim), $"Unsqueeze dim {dim} out of range for rank {Rank}.");
        var dims = new List<int>(Dims);
        dims.Insert(d, 1);
        return Reshape(dims.ToArray());
    }

    /// <summary>Removes dimension <paramref name="dim"/> if its size is 1, or all size-1 dims when null.</summary>
    public Tensor Squeeze(int? dim = null)
    {
        int? only = dim is int dd ? ShapeUtil.NormalizeDim(dd, Rank) : null;
        // A strided view: drop the size-1 dims (only `dim`, when given) without copying.
        var keep = Enumerable.Range(0, Rank).Where(i => Dims[i] != 1 || (only is int k && i != k)).ToArray();
        if (keep.Length == Rank) return this;
        var y = new Tensor(Storage, Offset, keep.Select(i => Dims[i]).ToArray(), keep.Select(i => Strides[i]).ToArray(), DType);
        return Record(y, "Squeeze", [this], g => [g.Reshape(Dims)]);
    }
}
