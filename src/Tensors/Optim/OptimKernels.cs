using System.Numerics;
using System.Runtime.CompilerServices;
using MLNetDeep.Tensors.Kernels;

namespace MLNetDeep.Tensors.Optim;

/// <summary>An elementwise update over the index range [start, end) of equally long contiguous spans.</summary>
internal interface IRangeKernel
{
    void Run(int start, int end);
}

/// <summary>
/// Shared machinery of the optimizer kernels. Each kernel is one fused pass over the parameter and
/// its buffers: a <see cref="Vector{T}"/> loop plus a scalar tail that performs exactly the same
/// IEEE operations, so results do not depend on alignment, vector width or how the range is split
/// across cores.
/// </summary>
/// <remarks>
/// Rounding follows PyTorch 1.13's CPU kernels (verified bit for bit against its AVX2 build):
/// <c>a.add_(b, alpha=s)</c> is <c>fma(b, s, a)</c>; <c>a.addcmul_(b, c, value=s)</c> is
/// <c>fma(s·b, c, a)</c>; <c>a.addcdiv_(b, c, value=s)</c> is <c>a + (s·b)/c</c> with each operation
/// rounded; <c>a.mul_(s)</c>, <c>a / s</c> and <c>sqrt</c> are single roundings; Python-float
/// hyperparameters are rounded to the tensor's type before use.
/// </remarks>
internal static class OptimKernels
{
    /// <summary>Parameters at least this large are updated on several cores.</summary>
    public const int ParallelThreshold = 1 << 16;

    /// <summary>Runs <paramref name="kernel"/> over [0, n), split across cores when large.</summary>
    public static void Launch<TKernel>(TKernel kernel, int n) where TKernel : struct, IRangeKernel
    {
        if (n < ParallelThreshold) kernel.Run(0, n);
        else Parallelism.For(n, ParallelThreshold / 2, kernel.Run);
    }

    /// <summary>A hyperparameter (a double, like a Python float) rounded to the element type.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T C<T>(double value) where T : unmanaged, IFloatingPointIeee754<T> => T.CreateTruncating(value);

    /// <summary>a·b + c with one rounding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Fma<T>(Vector<T> a, Vector<T> b, Vector<T> c) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            return Vector.FusedMultiplyAdd(a.As<T, float>(), b.As<T, float>(), c.As<T, float>()).As<float, T>();
        if (typeof(T) == typeof(double))
            return Vector.FusedMultiplyAdd(a.As<T, double>(), b.As<T, double>(), c.As<T, double>()).As<double, T>();
        throw new NotSupportedException(typeof(T).Name);
    }

    /// <summary>The elements [start, end) of a contiguous tensor.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Span<T> Range<T>(Tensor t, int start, int end) where T : unmanaged => t.Span<T>().Slice(start, end - start);

    /// <summary>The same elements viewed as whole vectors (the tail that does not fill a vector is left out).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Span<Vector<T>> Vectors<T>(Span<T> s) where T : unmanaged => System.Runtime.InteropServices.MemoryMarshal.Cast<T, Vector<T>>(s);
}
