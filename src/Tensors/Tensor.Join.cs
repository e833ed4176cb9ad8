namespace MLNetDeep.Tensors;

/// <summary>Concatenation (a primitive) and the joins and splits derived from it.</summary>
public sealed partial class Tensor
{
    /// <summary>Concatenates tensors along <paramref name="dim"/>; all other dims must match.</summary>
    public static Tensor Cat(IReadOnlyList<Tensor> tensors, int dim = 0)
    {
        if (tensors.Count == 0) throw new ArgumentException("Cat needs at least one tensor.");
        var first = tensors[0];
        int d = ShapeUtil.NormalizeDim(dim, first.Rank);
        var dims = (int[])first.Dims.Clone();
        int total = 0;
        foreach (var t in tensors)
        {
            if (t.Rank != first.Rank || t.DType != first.DType)
                throw new ArgumentException($"Cat: tensor {ShapeUtil.Format(t.Dims)} {t.DType} does not match {ShapeUtil.Format(first.Dims)} {first.DType}.");
            for (int i = 0; i < t.Rank; i++)
                if (i != d && t.Dims[i] != first.Dims[i])
                    throw new ArgumentException($"Cat: shapes {ShapeUtil.Format(t.Dims)} and {ShapeUtil.Format(first.Dims)} differ outside dim {d}.");
            total += t.Dims[d];
        }
        dims[d] = total;
        var y = Uninitialized(dims, first.DType);
        var offsets = new int[tensors.Count];
        int off = 0;
        for (int i = 0; i < tensors.Count; i++)
        {
            offsets[i] = off;
            int len = tensors[i].Dims[d];
            if (len > 0) y.Slice(d, off, off + len).Detach().CopyFrom(tensors[i]);
            off += len;
        }
        var parts = tensors.ToArray();
        return Record(y, "Cat", parts, g =>
        {
            var r = new Tensor?[parts.Length];
            for (int i = 0; i < parts.Length; i++)
                if (parts[i].RequiresGrad) r[i] = g.Slice(d, offsets[i], offsets[i] + parts[i].Dims[d]);
            return r;
        });
    }

    /// <summary>Stacks same-shaped tensors along a new dimension.</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, int dim = 0)
    {
        if (tensors.Count == 0) throw new ArgumentException("Stack needs at least one tensor.");
        int d = dim < 0 ? dim + tensors[0].Rank + 1 : dim;
        return Cat(tensors.Select(t => t.Unsqueeze(d)).ToList(), d);
    }

    /// <summary>Splits into pieces of <paramref name="splitSize"/> along <paramref name="dim"/> (the last may be smaller); views.</summary>
    public Tensor[] Split(int splitSize, int dim = 0)
    {
        if (splitSize <= 0) throw new ArgumentOutOfRangeException(nameof(splitSize));
        int d = ShapeUtil.NormalizeDim(dim, Rank);
        var parts = new List<Tensor>();
        for (int s = 0; s < Dims[d]; s += splitSize) parts.Add(Slice(d, s, Math.Min(s + splitSize, Dims[d])));
        return parts.ToArray();
    }

    /// <summary>Splits into pieces of the given sizes along <paramref name="dim"/>; views.</summary>
    public Tensor[] Split(int[] sizes, int dim = 0)
    {
        int d = ShapeUtil.NormalizeDim(dim, Rank);
        if (sizes.Sum() != Dims[d]) throw new ArgumentException($"Split sizes sum to {sizes.Sum()}, dim {d} has {Dims[d]}.");
        var parts = new Tensor[sizes.Length];
        int s = 0;
        for (int i = 0; i < sizes.Length; i++) { parts[i] = Slice(d, s, s + sizes[i]); s += sizes[i]; }
        return parts;
    }

    /// <summary>Splits into <paramref name="chunks"/> nearly equal pieces along <paramref name="dim"/>.</summary>
    public Tensor[] Chunk(int chunks, int dim = 0)
    {
        int d = ShapeUtil.NormalizeDim(dim, Rank);
        return Split((Dims[d] + chunks - 1) / chunks, d);
    }
}
