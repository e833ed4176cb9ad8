using System.Numerics;
using System.Numerics.Tensors;
using MLNetDeep.Tensors.Kernels;

namespace MLNetDeep.Tensors;

/// <summary>ReLU6, a fused primitive (one SIMD pass forward, one backward, split over cores when large).</summary>
public sealed partial class Tensor
{
    private const int Relu6Chunk = 1 << 15;

    internal static Tensor Relu6(Tensor x)
    {
        x.RequireFloat("Relu6");
        var xc = x.Detach().Contiguous();
        var y = Uninitialized(x.Dims, x.DType);
        if (x.DType == DType.Float32) Clamp06(xc.Arr<float>(), xc.Offset, y.Arr<float>(), x.Numel);
        else Clamp06(xc.Arr<double>(), xc.Offset, y.Arr<double>(), x.Numel);
        return Record(y, "Relu6", [x], g =>
        {
            var gc = g.Contiguous();
            var dx = Uninitialized(x.Dims, x.DType);
            if (x.DType == DType.Float32) PassInside(gc.Arr<float>(), gc.Offset, y.Arr<float>(), dx.Arr<float>(), x.Numel);
            else PassInside(gc.Arr<double>(), gc.Offset, y.Arr<double>(), dx.Arr<double>(), x.Numel);
            return [dx];
        });
    }

    private static void Clamp06<T>(T[] x, int xOff, T[] y, int n) where T : unmanaged, INumber<T>
    {
        Parallelism.For(n, Relu6Chunk, (s, e) =>
        {
            var d = y.AsSpan(s, e - s);
            TensorPrimitives.Max(x.AsSpan(xOff + s, e - s), T.Zero, d);
            TensorPrimitives.Min(d, T.CreateTruncating(6), d);
        });
    }

    /// <summary>dx = g where 0 &lt; y &lt; 6 (PyTorch's hardtanh backward), else 0; branch-free SIMD selects.</summary>
    private static void PassInside<T>(T[] g, int gOff, T[] y, T[] dx, int n) where T : unmanaged, INumber<T>
    {
        Parallelism.For(n, Relu6Chunk, (s, e) =>
        {
            T six = T.CreateTruncating(6);
            int i = s;
            if (Vector.IsHardwareAccelerated)
            {
                var zero = Vector<T>.Zero;
                var sixV = new Vector<T>(six);
                for (; i <= e - Vector<T>.Count; i += Vector<T>.Count)
                {
                    var yv = new Vector<T>(y.AsSpan(i));
                    var mask = Vector.BitwiseAnd(Vector.GreaterThan(yv, zero), Vector.LessThan(yv, sixV));
                    Vector.ConditionalSelect(mask, new Vector<T>(g.AsSpan(gOff + i)), zero).CopyTo(dx.AsSpan(i));
                }
            }
            for (; i < e; i++) dx[i] = y[i] > T.Zero && y[i] < six ? g[gOff + i] : T.Zero;
        });
    }
}
