using MLNetDeep.Tensors.Kernels;

namespace MLNetDeep.Tensors;

/// <summary>Reduction primitives (sum, max) and what derives from them (mean, min, argmax, …).</summary>
public sealed partial class Tensor
{
    private int[] NormalizeAxes(int[] axes)
    {
        var r = axes.Select(a => ShapeUtil.NormalizeDim(a, Rank)).Distinct().Order().ToArray();
        return r;
    }

    private int[] ReducedShape(int[] axes, bool keepDim)
    {
        var dims = new List<int>();
        for (int i = 0; i < Rank; i++)
        {
            if (Array.IndexOf(axes, i) < 0) dims.Add(Dims[i]);
            else if (keepDim) dims.Add(1);
        }
        return dims.ToArray();
    }

    /// <summary>Moves the reduced axes into one contiguous block and returns (source, outer, r, inner).</summary>
    private (Tensor Src, int Outer, int R, int Inner) ReductionBlock(int[] axes)
    {
        bool contiguousBlock = axes.Length == 0 || axes[^1] - axes[0] == axes.Length - 1;
        Tensor src = this.Detach();
        int first = axes.Length == 0 ? Rank : axes[0], last = axes.Length == 0 ? Rank - 1 : axes[^1];
        if (!contiguousBlock)
        {
            var kept = Enumerable.Range(0, Rank).Where(i => Array.IndexOf(axes, i) < 0);
            src = src.Permute(kept.Concat(axes).ToArray());
            first = Rank - axes.Length;
            last = Rank - 1;
        }
        src = src.Contiguous();
        int outer = 1, r = 1, inner = 1;
        for (int i = 0; i < Rank; i++)
        {
            if (i < first) outer *= src.Dims[i];
            else if (i <= last) r *= src.Dims[i];
            else inner *= src.Dims[i];
        }
        return (src, outer, r, inner);
    }

    private Tensor ReduceKernel<TF, TD>(int[] axes, bool keepDim, string op) where TF : struct, IReduceOp<float> where TD : struct, IReduceOp<double>
    {
        RequireFloat(op);
        var (src, outer, r, inner) = ReductionBlock(axes);
        var y = Uninitialized(ReducedShape(axes, keepDim), DType);
        if (r == 0)
        {
            if (op != "Sum") throw new InvalidOperationException($"{op} over an empty dimension.");
            return y.FillInPlace(0);
        }
        if (DType == DType.Float32) Reduce.Block<float, TF>(src.Arr<float>(), src.Offset, outer, r, inner, y.Arr<float>());
        else Reduce.Block<double, TD>(src.Arr<double>(), src.Offset, outer, r, inner, y.Arr<double>());
        return y;
    }

    /// <summary>Sum over <paramref name="axes"/> (all axes when empty).</summary>
    public Tensor Sum(int[] axes, bool keepDim = false)
    {
        var ax = axes.Length == 0 ? Enumerable.Range(0, Rank).ToArray() : NormalizeAxes(axes);
        var y = ReduceKernel<SumReduce<float>, SumReduce<double>>(ax, keepDim, "Sum");
        var keptShape = ReducedShape(ax, true);
        return Record(y, "Sum", [this], g => [g.Reshape(keptShape).Expand(Dims)]);
    }

    /// <summary>Sum over one axis.</summary>
    public Tensor Sum(int dim, bool keepDim = false) => Sum([dim], keepDim);

    /// <summary>Sum of all elements (a 0-dim tensor).</summary>
    public Tensor Sum() => Sum([]);

    /// <summary>Mean over <paramref name="axes"/> (all when empty).</summary>
    public Tensor Mean(int[] axes, bool keepDim = false)
    {
        var ax = axes.Length == 0 ? Enumerable.Range(0, Rank).ToArray() : NormalizeAxes(axes);
        int count = ax.Aggregate(1, (n, a) => n * Dims[a]);
        return Sum(ax, keepDim).Div(count);
    }

    /// <summary>Mean over one axis.</summary>
    public Tensor Mean(int dim, bool keepDim = false) => Mean([dim], keepDim);

    /// <summary>Mean of all elements.</summary>
    public Tensor Mean() => Mean([]);

    /// <summary>
    /// Maximum over <paramref name="axes"/> (all when empty). The gradient is shared evenly among tied
    /// maxima (PyTorch's amax rule).
    /// </summary>
    public Tensor Max(int[] axes, bool keepDim = false)
    {
        var ax = axes.Length == 0 ? Enumerable.Range(0, Rank).ToArray() : NormalizeAxes(axes);
        var y = ReduceKernel<MaxReduce<float>, MaxReduce<double>>(ax, keepDim, "Max");
        var keptShape = ReducedShape(ax, true);
        return Record(y, "Max", [this], g =>
        {
            var mask = Detach().Eq(y.Reshape(keptShape));
            var count = mask.Sum(ax, keepDim: true);
            return [mask.Div(count).Mul(g.Reshape(keptShape))];
        });
    }

    /// <summary>Maximum over one axis.</summary>
    public Tensor Max(int dim, bool keepDim = false) => Max([dim], keepDim);

    /// <summary>Maximum of all elements.</summary>
    public Tensor Max() => Max([]);

    /// <summary>Minimum over <paramref name="axes"/> (derived: −max(−x)).</summary>
    public Tensor Min(int[] axes, bool keepDim = false) => Neg().Max(axes, keepDim).Neg();

    /// <summary>Minimum over one axis.</summary>
    public Tensor Min(int dim, bool keepDim = false) => Min([dim], keepDim);

    /// <summary>Index of the maximum along <paramref name="dim"/> (int64; not differentiable).</summary>
    public Tensor Argmax(int dim, bool keepDim = false)
    {
        RequireFloat("Argmax");
        int d = ShapeUtil.NormalizeDim(dim, Rank);
        var (src, outer, r, inner) = ReductionBlock([d]);
        var y = Zeros(ReducedShape([d], keepDim), DType.Int64);
        if (DType == DType.Float32) Reduce.ArgMax(src.Arr<float>(), src.Offset, outer, r, inner, y.Arr<long>());
        else Reduce.ArgMax(src.Arr<double>(), src.Offset, outer, r, inner, y.Arr<long>());
        return y;
    }

    /// <summary>Variance over <paramref name="axes"/> (derived; <paramref name="unbiased"/> uses n−1).</summary>
    public Tensor Var(int[] axes, bool keepDim = false, bool unbiased = true)
    {
        var ax = axes.Length == 0 ? Enumerable.Range(0, Rank).ToArray() : NormalizeAxes(axes);
        int n = ax.Aggregate(1, (c, a) => c * Dims[a]);
        var centered = Sub(Mean(ax, keepDim: true));
        return centered.Square().Sum(ax, keepDim).Div(unbiased ? n - 1 : n);
    }
}
