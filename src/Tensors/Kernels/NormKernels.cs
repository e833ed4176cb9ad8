using System.Numerics;
using System.Numerics.Tensors;

namespace MLNetDeep.Tensors.Kernels;

/// <summary>
/// Row-wise kernels of the fused normalization and softmax primitives: each row of a contiguous
/// [rows, d] block is handled with SIMD span operations; rows are split across cores.
/// </summary>
internal static class NormKernels
{
    private static int MinRows(int d) => Math.Max(1, 8192 / Math.Max(d, 1));

    /// <summary>
    /// y = (x − mean)·rstd·w + b per row; saves each row's mean and rstd = 1/√(var + eps) (biased variance).
    /// </summary>
    public static void LayerNormForward<T>(T[] x, int xOff, int rows, int d, T[]? w, int wOff, T[]? b, int bOff, T eps,
        T[] y, T[] mean, T[] rstd) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T invD = T.One / T.CreateChecked(d);
        Parallelism.For(rows, MinRows(d), (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                var xs = new ReadOnlySpan<T>(x, xOff + r * d, d);
                var ys = new Span<T>(y, r * d, d);
                T mu = TensorPrimitives.Sum(xs) * invD;
                TensorPrimitives.Subtract(xs, mu, ys);
                T var = TensorPrimitives.SumOfSquares<T>(ys) * invD;
                T rs = T.One / T.Sqrt(var + eps);
                mean[r] = mu;
                rstd[r] = rs;
                TensorPrimitives.Multiply(ys, rs, ys);
                if (w != null) TensorPrimitives.Multiply(ys, new ReadOnlySpan<T>(w, wOff, d), ys);
                if (b != null) TensorPrimitives.Add(ys, new ReadOnlySpan<T>(b, bOff, d), ys);
            }
        });
    }

    /// <summary>
    /// Layer-norm backward. With x̂ = (x − mean)·rstd and ĝ = g·w:
    /// dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)), dw = Σ_rows g·x̂, db = Σ_rows g.
    /// </summary>
    public static void LayerNormBackward<T>(T[] x, int xOff, T[] g, int gOff, int rows, int d, T[]? w, int wOff,
        T[] mean, T[] rstd, T[]? dx, T[]? dw, T[]? db) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T invD = T.One / T.CreateChecked(d);
        var gate = new object();
        if (dw != null) Array.Clear(dw, 0, d);
        if (db != null) Array.Clear(db, 0, d);
        Parallelism.For(rows, MinRows(d), (r0, r1) =>
        {
            var xhat = new T[d];
            var gh = new T[d];
            var pdw = dw != null ? new T[d] : null;
            var pdb = db != null ? new T[d] : null;
            for (int r = r0; r < r1; r++)
            {
                var xs = new ReadOnlySpan<T>(x, xOff + r * d, d);
                var gs = new ReadOnlySpan<T>(g, gOff + r * d, d);
                T rs = rstd[r];
                TensorPrimitives.Subtract(xs, mean[r], xhat);
                TensorPrimitives.Multiply(xhat, rs, xhat);
                if (pdw != null) TensorPrimitives.FusedMultiplyAdd(gs, xhat, pdw, pdw);
                if (pdb != null) TensorPrimitives.Add(gs, pdb, pdb);
                if (dx == null) continue;
                if (w != null) TensorPrimitives.Multiply(gs, new ReadOnlySpan<T>(w, wOff, d), gh);
                else gs.CopyTo(gh);
                T meanG = TensorPrimitives.Sum<T>(gh) * invD;
                T meanGx = TensorPrimitives.Dot<T>(gh, xhat) * invD;
                var dxs = new Span<T>(dx, r * d, d);
                // dx = rs·(gh − meanG) − (rs·meanGx)·xhat
                TensorPrimitives.Subtract<T>(gh, meanG, dxs);
                TensorPrimitives.Multiply<T>(dxs, rs, dxs);
                TensorPrimitives.MultiplyAdd<T>(xhat, -rs * meanGx, dxs, dxs);
            }
            if (pdw == null && pdb == null) return;
            lock (gate)
            {
                if (pdw != null) TensorPrimitives.Add<T>(dw, pdw, dw);
                if (pdb != null) TensorPrimitives.Add<T>(db, pdb, db);
            }
        });
    }

    /// <summary>Softmax (or log-softmax) of each row, shifted by the row max; rows whose entries are all −∞ give zeros.</summary>
    public static void SoftmaxForward<T>(T[] x, int xOff, int rows, int d, T[] y, int yOff, bool log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Parallelism.For(rows, MinRows(d), (r0, r1) =>
        {
            var tmp = log ? new T[d] : null;
            for (int r = r0; r < r1; r++)
                SoftmaxRow(new ReadOnlySpan<T>(x, xOff + r * d, d), new Span<T>(y, yOff + r * d, d), log, tmp);
        });
    }

    /// <summary>One row of softmax/log-softmax; <paramref name="tmp"/> (length d) is needed for log-softmax only. In place is allowed.</summary>
    public static void SoftmaxRow<T>(ReadOnlySpan<T> xs, Span<T> ys, bool log, T[]? tmp) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (xs.Length == 0) return;
        T max = TensorPrimitives.Max(xs);
        if (T.IsNegativeInfinity(max))
        {
            ys.Fill(log ? T.NegativeInfinity : T.Zero);
            return;
        }
        TensorPrimitives.Subtract(xs, max, ys);
        if (log)
        {
            TensorPrimitives.Exp<T>(ys, tmp);
            T lse = T.Log(TensorPrimitives.Sum<T>(new ReadOnlySpan<T>(tmp, 0, ys.Length)));
            TensorPrimitives.Subtract<T>(ys, lse, ys);
        }
        else
        {
            TensorPrimitives.Exp<T>(ys, ys);
            T s = TensorPrimitives.Sum<T>(ys);
            TensorPrimitives.Multiply<T>(ys, T.One / s, ys);
        }
    }

    /// <summary>Softmax backward dx = y·(g − ⟨g, y⟩); log-softmax backward dx = g − eʸ·Σg.</summary>
    public static void SoftmaxBackward<T>(T[] y, int yOff, T[] g, int gOff, int rows, int d, T[] dx, bool log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Parallelism.For(rows, MinRows(d), (r0, r1) =>
        {
            var tmp = log ? new T[d] : null;
            for (int r = r0; r < r1; r++)
            {
                var ys = new ReadOnlySpan<T>(y, yOff + r * d, d);
                var gs = new ReadOnlySpan<T>(g, gOff + r * d, d);
                var ds = new Span<T>(dx, r * d, d);
                SoftmaxBackwardRow(ys, gs, ds, log, tmp);
            }
        });
    }

    /// <summary>One row of <see cref="SoftmaxBackward{T}"/>; in place over g is allowed.</summary>
    public static void SoftmaxBackwardRow<T>(ReadOnlySpan<T> ys, ReadOnlySpan<T> gs, Span<T> ds, bool log, T[]? tmp) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (log)
        {
            T s = TensorPrimitives.Sum(gs);
            TensorPrimitives.Exp<T>(ys, tmp);
            TensorPrimitives.MultiplyAdd<T>(new ReadOnlySpan<T>(tmp, 0, ys.Length), -s, gs, ds);
        }
        else
        {
            T dot = TensorPrimitives.Dot(gs, ys);
            TensorPrimitives.Subtract(gs, dot, ds);
            TensorPrimitives.Multiply<T>(ds, ys, ds);
        }
    }
}
