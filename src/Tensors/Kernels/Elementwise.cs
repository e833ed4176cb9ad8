using System.Numerics;

namespace MLNetDeep.Tensors.Kernels;

/// <summary>
/// Drivers that run vectorized elementwise functions over (possibly strided, broadcast) tensors.
/// Large contiguous runs are split across cores.
/// </summary>
internal static class Elementwise
{
    private const int ParallelThreshold = 1 << 15;

    /// <summary>y = op(x) for contiguous spans, in parallel chunks when large.</summary>
    public static void Unary<T, TOp>(T[] x, int xOff, T[] y, int yOff, int n)
        where T : unmanaged where TOp : struct, IUnaryOp<T>
    {
        if (n < ParallelThreshold)
        {
            TOp.Apply(x.AsSpan(xOff, n), y.AsSpan(yOff, n));
            return;
        }
        Parallelism.For(n, ParallelThreshold / 2, (s, e) => TOp.Apply(x.AsSpan(xOff + s, e - s), y.AsSpan(yOff + s, e - s)));
    }

    /// <summary>
    /// out = op(a, b) where <paramref name="a"/> and <paramref name="b"/> are already expanded to the
    /// output's shape (stride 0 on broadcast dims) and <paramref name="output"/> is contiguous.
    /// </summary>
    public static void Binary<T, TOp>(Tensor a, Tensor b, Tensor output)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IBinaryOp<T>
    {
        var layout = new StridedLayout(output.Dims, a.Strides, b.Strides, output.Strides);
        T[] av = a.Arr<T>(), bv = b.Arr<T>(), ov = output.Arr<T>();
        int inner = layout.InnerSize, sa = layout.InnerStride(0), sb = layout.InnerStride(1);
        int outer = layout.Outer;
        int aOff = a.Offset, bOff = b.Offset, oOff = output.Offset;

        void Run(int o, int start, int len)
        {
            int ao = aOff + layout.OuterOffset(0, o) + start * sa;
            int bo = bOff + layout.OuterOffset(1, o) + start * sb;
            int oo = oOff + layout.OuterOffset(2, o) + start;
            var y = ov.AsSpan(oo, len);
            if (sa == 1 && sb == 1) TOp.Apply(av.AsSpan(ao, len), bv.AsSpan(bo, len), y);
            else if (sa == 1 && sb == 0) TOp.Apply(av.AsSpan(ao, len), bv[bo], y);
            else if (sa == 0 && sb == 1) TOp.Apply(av[ao], bv.AsSpan(bo, len), y);
            else
                for (int i = 0; i < len; i++) y[i] = TOp.Apply(av[ao + i * sa], bv[bo + i * sb]);
        }

        long total = (long)outer * inner;
        if (total < ParallelThreshold)
        {
            for (int o = 0; o < outer; o++) Run(o, 0, inner);
        }
        else if (outer == 1)
        {
            Parallelism.For(inner, ParallelThreshold / 2, (s, e) => Run(0, s, e - s));
        }
        else
        {
            Parallelism.For(outer, Math.Max(1, ParallelThreshold / 2 / Math.Max(inner, 1)), (s, e) =>
            {
                for (int o = s; o < e; o++) Run(o, 0, inner);
            });
        }
    }

    /// <summary>Copies a strided tensor into a same-shaped destination view (any strides).</summary>
    public static void Copy<T>(Tensor src, Tensor dst) where T : unmanaged
    {
        if (dst.Numel == 0) return;
        var layout = new StridedLayout(dst.Dims, src.Strides, dst.Strides);
        T[] sv = src.Arr<T>(), dv = dst.Arr<T>();
        int inner = layout.InnerSize, ss = layout.InnerStride(0), ds = layout.InnerStride(1);
        void Run(int s, int e)
        {
            for (int o = s; o < e; o++)
            {
                int so = src.Offset + layout.OuterOffset(0, o), dO = dst.Offset + layout.OuterOffset(1, o);
                if (ss == 1 && ds == 1) sv.AsSpan(so, inner).CopyTo(dv.AsSpan(dO, inner));
                else if (ss == 0 && ds == 1) dv.AsSpan(dO, inner).Fill(sv[so]);
                else for (int i = 0; i < inner; i++) dv[dO + i * ds] = sv[so + i * ss];
            }
        }
        if ((long)layout.Outer * inner < ParallelThreshold || layout.Outer == 1) Run(0, layout.Outer);
        else Parallelism.For(layout.Outer, Math.Max(1, ParallelThreshold / 2 / Math.Max(inner, 1)), Run);
    }
}
