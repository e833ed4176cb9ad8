using System.Numerics;
using System.Numerics.Tensors;

namespace MLNetDeep.Tensors;

/// <summary>ReLU6, a fused primitive (one pass forward, one pass backward).</summary>
public sealed partial class Tensor
{
    internal static Tensor Relu6(Tensor x)
    {
        x.RequireFloat("Relu6");
        var xc = x.Detach().Contiguous();
        var y = Uninitialized(x.Dims, x.DType);
        if (x.DType == DType.Float32) Clamp06(xc.Span<float>(), y.Span<float>());
        else Clamp06(xc.Span<double>(), y.Span<double>());
        return Record(y, "Relu6", [x], g =>
        {
            var gc = g.Contiguous();
            var dx = Uninitialized(x.Dims, x.DType);
            if (x.DType == DType.Float32) PassInside(gc.Span<float>(), y.Span<float>(), dx.Span<float>());
            else PassInside(gc.Span<double>(), y.Span<double>(), dx.Span<double>());
            return [dx];
        });
    }

    private static void Clamp06<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, INumber<T>
    {
        TensorPrimitives.Max(x, T.Zero, y);
        TensorPrimitives.Min(y, T.CreateTruncating(6), y);
    }

    /// <summary>dx = g where 0 &lt; y &lt; 6 (PyTorch's hardtanh backward), else 0.</summary>
    private static void PassInside<T>(ReadOnlySpan<T> g, ReadOnlySpan<T> y, Span<T> dx) where T : unmanaged, INumber<T>
    {
        T six = T.CreateTruncating(6);
        for (int i = 0; i < dx.Length; i++) dx[i] = y[i] > T.Zero && y[i] < six ? g[i] : T.Zero;
    }
}
