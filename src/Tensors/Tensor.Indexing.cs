using MLNetDeep.Tensors.Kernels;

namespace MLNetDeep.Tensors;

/// <summary>Index primitives: index-select / index-add, gather / scatter-add, and where.</summary>
public sealed partial class Tensor
{
    private (int Outer, int Inner) AroundDim(int d)
    {
        int outer = 1, inner = 1;
        for (int i = 0; i < d; i++) outer *= Dims[i];
        for (int i = d + 1; i < Rank; i++) inner *= Dims[i];
        return (outer, inner);
    }

    private static void RequireIndex(Tensor index, string op)
    {
        if (index.DType != DType.Int64) throw new ArgumentException($"{op} needs an Int64 index tensor, got {index.DType}.");
    }

    /// <summary>Rows <paramref name="index"/> (1-D int64) of dimension <paramref name="dim"/>, for any dtype. Backward is an index-add, touching only the selected rows.</summary>
    public Tensor IndexSelect(int dim, Tensor index)
    {
        RequireIndex(index, "IndexSelect");
        if (index.Rank != 1) throw new ArgumentException($"IndexSelect needs a 1-D index, got {ShapeUtil.Format(index.Dims)}.");
        int d = ShapeUtil.NormalizeDim(dim, Rank);
        var x = Contiguous();
        var idx = index.Contiguous();
        var (outer, inner) = AroundDim(d);
        var dims = (int[])Dims.Clone();
        dims[d] = index.Numel;
        var y = Uninitialized(dims, DType);
        if (DType == DType.Float32) Indexing.IndexSelect(x.Arr<float>(), x.Offset, outer, Dims[d], inner, idx.Arr<long>(), idx.Offset, idx.Numel, y.Arr<float>());
        else if (DType == DType.Float64) Indexing.IndexSelect(x.Arr<double>(), x.Offset, outer, Dims[d], inner, idx.Arr<long>(), idx.Offset, idx.Numel, y.Arr<double>());
        else
        {
            Indexing.IndexSelect(x.Arr<long>(), x.Offset, outer, Dims[d], inner, idx.Arr<long>(), idx.Offset, idx.Numel, y.Arr<long>());
            return y; // integer tensors carry no gradient
        }
        return Record(y, "IndexSelect", [this], g => [Zeros(Dims, DType).IndexAdd(d, idx, g)]);
    }

    /// <summary>Returns this tensor plus <paramref name="source"/> added into rows <paramref name="index"/> of <paramref name="dim"/> (out of place).</summary>
    public Tensor IndexAdd(int dim, Tensor index, Tensor source)
    {
        RequireFloat("IndexAdd");
        RequireIndex(index, "IndexAdd");
        int d = ShapeUtil.NormalizeDim(dim, Rank);
        var expect = (int[])Dims.Clone();
        expect[d] = index.Numel;
        if (index.Rank != 1 || !ShapeUtil.SameShape(expect, source.Dims))
            throw new ArgumentException($"IndexAdd: source {ShapeUtil.Format(source.Dims)} must be {ShapeUtil.Format(expect)} for a 1-D index of {index.Numel}.");
        var y = Contiguous(force: true).Detach();
        var src = source.Contiguous();
        var idx = index.Contiguous();
        var (outer, inner) = AroundDim(d);
        if (DType == DType.Float32) Indexing.IndexAdd(y.Arr<float>(), outer, Dims[d], inner, idx.Arr<long>(), idx.Offset, idx.Numel, src.Arr<float>(), src.Offset);
        else Indexing.IndexAdd(y.Arr<double>(), outer, Dims[d], inner, idx.Arr<long>(), idx.Offset, idx.Numel, src.Arr<double>(), src.Offset);
        return Record(y, "IndexAdd", [this, source], g => [g, source.RequiresGrad ? g.IndexSelect(d, idx) : null]);
    }

    /// <summary>Values at <paramref name="index"/> along <paramref name="dim"/> (index has this tensor's rank; other dims must match).</summary>
    public Tensor Gather(int dim, Tensor index)
    {
        RequireFloat("Gather");
        RequireIndex(index, "Gather");
        int d = ShapeUtil.NormalizeDim(dim, Rank);
        CheckScatterShapes(index, d, "Gather");
        var x = Contiguous();
        var idx = index.Contiguous();
        var (outer, inner) = AroundDim(d);
        var y = Uninitialized(index.Dims, DType);
        if (DType == DType.Float32) Indexing.Gather(x.Arr<float>(), x.Offset, outer, Dims[d], inner, idx.Arr<long>(), idx.Offset, index.Dims[d], y.Arr<float>());
        else Indexing.Gather(x.Arr<double>(), x.Offset, outer, Dims[d], inner, idx.Arr<long>(), idx.Offset, index.Dims[d], y.Arr<double>());
        return Record(y, "Gather", [this], g => [Zeros(Dims, DType).ScatterAdd(d, idx, g)]);
    }

    /// <summary>Returns this tensor with <paramref name="source"/> added at <paramref name="index"/> along <paramref name="dim"/> (out of place).</summary>
    public Tensor ScatterAdd(int dim, Tensor index, Tensor source)
    {
        RequireFloat("ScatterAdd");
        RequireIndex(index, "ScatterAdd");
        int d = ShapeUtil.NormalizeDim(dim, Rank);
        CheckScatterShapes(index, d, "ScatterAdd");
        if (!ShapeUtil.SameShape(index.Dims, source.Dims))
            throw new ArgumentException($"ScatterAdd: source {ShapeUtil.Format(source.Dims)} must match index {ShapeUtil.Format(index.Dims)}.");
        var y = Contiguous(force: true).Detach();
        var src = source.Contiguous();
        var idx = index.Contiguous();
        var (outer, inner) = AroundDim(d);
        if (DType == DType.Float32) Indexing.ScatterAdd(y.Arr<float>(), outer, Dims[d], inner, idx.Arr<long>(), idx.Offset, index.Dims[d], src.Arr<float>(), src.Offset);
        else Indexing.ScatterAdd(y.Arr<double>(), outer, Dims[d], inner, idx.Arr<long>(), idx.Offset, index.Dims[d], src.Arr<double>(), src.Offset);
        return Record(y, "ScatterAdd", [this, source], g => [g, source.RequiresGrad ? g.Gather(d, idx) : null]);
    }

    private void CheckScatterShapes(Tensor index, int d, string op)
    {
        bool ok = index.Rank == Rank;
        for (int i = 0; ok && i < Rank; i++) ok = i == d || index.Dims[i] == Dims[i];
        if (!ok) throw new ArgumentException($"{op}: index {ShapeUtil.Format(index.Dims)} must match {ShapeUtil.Format(Dims)} outside dim {d}.");
    }

    /// <summary>Elementwise choice: <paramref name="a"/> where <paramref name="condition"/> is nonzero, else <paramref name="b"/> (broadcasting).</summary>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b)
    {
        a.RequireFloat("Where");
        if (a.DType != b.DType) throw new InvalidOperationException($"Where: dtype mismatch {a.DType} vs {b.DType}.");
        var shape = ShapeUtil.Broadcast(ShapeUtil.Broadcast(condition.Dims, a.Dims), b.Dims);
        var c = condition.Detach().To(DType.Float64).ExpandView(shape).Contiguous().Span<double>().ToArray();
        var y = Uninitialized(shape, a.DType);
        var ac = a.Detach().ExpandView(shape).Contiguous();
        var bc = b.Detach().ExpandView(shape).Contiguous();
        if (a.DType == DType.Float32)
        {
            var ya = y.Span<float>(); var av = ac.Span<float>(); var bv = bc.Span<float>();
            for (int i = 0; i < ya.Length; i++) ya[i] = c[i] != 0 ? av[i] : bv[i];
        }
        else
        {
            var ya = y.Span<double>(); var av = ac.Span<double>(); var bv = bc.Span<double>();
            for (int i = 0; i < ya.Length; i++) ya[i] = c[i] != 0 ? av[i] : bv[i];
        }
        var mask = condition.Detach().Eq(0).To(a.DType); // 1 where b is taken
        return Record(y, "Where", [a, b], g => [
            a.RequiresGrad ? g.Mul(Scalar(1, g.DType).Sub(mask)).SumTo(a.Dims) : null,
            b.RequiresGrad ? g.Mul(mask).SumTo(b.Dims) : null]);
    }
}
