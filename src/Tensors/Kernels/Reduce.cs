using System.Numerics;
using System.Numerics.Tensors;

namespace MLNetDeep.Tensors.Kernels;

/// <summary>A reduction: whole-run reduce and elementwise combine of two runs.</summary>
internal interface IReduceOp<T>
{
    static abstract T Reduce(ReadOnlySpan<T> x);
    static abstract void Combine(ReadOnlySpan<T> acc, ReadOnlySpan<T> x, Span<T> dst);
}

internal struct SumReduce<T> : IReduceOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Reduce(ReadOnlySpan<T> x) => TensorPrimitives.Sum(x);
    public static void Combine(ReadOnlySpan<T> acc, ReadOnlySpan<T> x, Span<T> dst) => TensorPrimitives.Add(acc, x, dst);
}

internal struct MaxReduce<T> : IReduceOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Reduce(ReadOnlySpan<T> x) => TensorPrimitives.Max(x);
    public static void Combine(ReadOnlySpan<T> acc, ReadOnlySpan<T> x, Span<T> dst) => TensorPrimitives.Max(acc, x, dst);
}

/// <summary>Reductions over the middle axis of a contiguous [outer, r, inner] block.</summary>
internal static class Reduce
{
    private const int ParallelThreshold = 1 << 15;

    public static void Block<T, TOp>(T[] x, int xOff, int outer, int r, int inner, T[] y)
        where T : unmanaged where TOp : struct, IReduceOp<T>
    {
        void Rows(int s, int e)
        {
            for (int o = s; o < e; o++)
            {
                int baseOff = xOff + o * r * inner;
                if (inner == 1)
                {
                    y[o] = TOp.Reduce(x.AsSpan(baseOff, r));
                    continue;
                }
                var dst = y.AsSpan(o * inner, inner);
                x.AsSpan(baseOff, inner).CopyTo(dst);
                for (int k = 1; k < r; k++) TOp.Combine(dst, x.AsSpan(baseOff + k * inner, inner), dst);
            }
        }
        long work = (long)outer * r * inner;
        if (work < ParallelThreshold) { Rows(0, outer); return; }
        if (outer >= 2)
        {
            Parallelism.For(outer, Math.Max(1, (int)(ParallelThreshold / 2 / Math.Max(1L, (long)r * inner))), Rows);
            return;
        }
        // One block: split the inner columns across threads.
        Parallelism.For(inner, 64, (s, e) =>
        {
            var dst = y.AsSpan(s, e - s);
            x.AsSpan(xOff + s, e - s).CopyTo(dst);
            for (int k = 1; k < r; k++) TOp.Combine(dst, x.AsSpan(xOff + k * inner + s, e - s), dst);
        });
    }

    /// <summary>Index of the first maximum along the middle axis (NaN counts as the maximum, as in PyTorch).</summary>
    public static void ArgMax<T>(T[] x, int xOff, int outer, int r, int inner, long[] y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int b = xOff + o * r * inner + i;
                T best = x[b];
                int bi = 0;
                for (int k = 1; k < r && !T.IsNaN(best); k++)
                {
                    T v = x[b + k * inner];
                    if (v > best || T.IsNaN(v)) { best = v; bi = k; }
                }
                y[o * inner + i] = bi;
            }
    }
}
