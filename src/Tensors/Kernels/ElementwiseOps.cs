using System.Numerics;
using System.Numerics.Tensors;

namespace MLNetDeep.Tensors.Kernels;

/// <summary>A vectorized unary elementwise function.</summary>
internal interface IUnaryOp<T>
{
    static abstract void Apply(ReadOnlySpan<T> x, Span<T> y);
}

/// <summary>A vectorized binary elementwise function with scalar-broadcast forms.</summary>
internal interface IBinaryOp<T>
{
    static abstract T Apply(T a, T b);
    static abstract void Apply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y);
    static abstract void Apply(ReadOnlySpan<T> a, T b, Span<T> y);
    static abstract void Apply(T a, ReadOnlySpan<T> b, Span<T> y);
}

internal struct AddOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b) => a + b;
    public static void Apply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Add(a, b, y);
    public static void Apply(ReadOnlySpan<T> a, T b, Span<T> y) => TensorPrimitives.Add(a, b, y);
    public static void Apply(T a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Add(b, a, y);
}

internal struct SubOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b) => a - b;
    public static void Apply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Subtract(a, b, y);
    public static void Apply(ReadOnlySpan<T> a, T b, Span<T> y) => TensorPrimitives.Subtract(a, b, y);
    public static void Apply(T a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Subtract(a, b, y);
}

internal struct MulOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b) => a * b;
    public static void Apply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Multiply(a, b, y);
    public static void Apply(ReadOnlySpan<T> a, T b, Span<T> y) => TensorPrimitives.Multiply(a, b, y);
    public static void Apply(T a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Multiply(b, a, y);
}

internal struct DivOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b) => a / b;
    public static void Apply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Divide(a, b, y);
    public static void Apply(ReadOnlySpan<T> a, T b, Span<T> y) => TensorPrimitives.Divide(a, b, y);
    public static void Apply(T a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Divide(a, b, y);
}

internal struct PowOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b) => T.Pow(a, b);
    public static void Apply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Pow(a, b, y);
    public static void Apply(ReadOnlySpan<T> a, T b, Span<T> y) => TensorPrimitives.Pow(a, b, y);
    public static void Apply(T a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Pow(a, b, y);
}

internal struct MaxOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b) => T.Max(a, b);
    public static void Apply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Max(a, b, y);
    public static void Apply(ReadOnlySpan<T> a, T b, Span<T> y) => TensorPrimitives.Max(a, b, y);
    public static void Apply(T a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Max(b, a, y);
}

/// <summary>1 where a &gt; b, else 0 (comparison ops produce float masks).</summary>
internal struct GreaterOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b) => a > b ? T.One : T.Zero;
    public static void Apply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) => Masks.Compare<T, GreaterCmp<T>>(a, b, y);
    public static void Apply(ReadOnlySpan<T> a, T b, Span<T> y) => Masks.Compare<T, GreaterCmp<T>>(a, b, y);
    public static void Apply(T a, ReadOnlySpan<T> b, Span<T> y) => Masks.Compare<T, LessCmp<T>>(b, a, y);
}

/// <summary>1 where a == b, else 0.</summary>
internal struct EqualOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b) => a == b ? T.One : T.Zero;
    public static void Apply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) => Masks.Compare<T, EqualCmp<T>>(a, b, y);
    public static void Apply(ReadOnlySpan<T> a, T b, Span<T> y) => Masks.Compare<T, EqualCmp<T>>(a, b, y);
    public static void Apply(T a, ReadOnlySpan<T> b, Span<T> y) => Masks.Compare<T, EqualCmp<T>>(b, a, y);
}

/// <summary>A comparison in scalar and SIMD form (the SIMD form yields all-ones lanes where true).</summary>
internal interface ICompare<T> where T : unmanaged
{
    static abstract bool Test(T a, T b);
    static abstract Vector<T> Test(Vector<T> a, Vector<T> b);
}

internal struct GreaterCmp<T> : ICompare<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Test(T a, T b) => a > b;
    public static Vector<T> Test(Vector<T> a, Vector<T> b) => Vector.GreaterThan(a, b);
}

internal struct LessCmp<T> : ICompare<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Test(T a, T b) => a < b;
    public static Vector<T> Test(Vector<T> a, Vector<T> b) => Vector.LessThan(a, b);
}

internal struct EqualCmp<T> : ICompare<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Test(T a, T b) => a == b;
    public static Vector<T> Test(Vector<T> a, Vector<T> b) => Vector.Equals(a, b);
}

/// <summary>SIMD loops that turn comparisons into 0/1 masks.</summary>
internal static class Masks
{
    public static void Compare<T, TCmp>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> where TCmp : struct, ICompare<T>
    {
        int i = 0, w = Vector<T>.Count;
        var one = Vector<T>.One;
        for (; i <= y.Length - w; i += w)
            (TCmp.Test(new Vector<T>(a[i..]), new Vector<T>(b[i..])) & one).CopyTo(y[i..]);
        for (; i < y.Length; i++) y[i] = TCmp.Test(a[i], b[i]) ? T.One : T.Zero;
    }

    public static void Compare<T, TCmp>(ReadOnlySpan<T> a, T b, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> where TCmp : struct, ICompare<T>
    {
        int i = 0, w = Vector<T>.Count;
        var one = Vector<T>.One;
        var vb = new Vector<T>(b);
        for (; i <= y.Length - w; i += w)
            (TCmp.Test(new Vector<T>(a[i..]), vb) & one).CopyTo(y[i..]);
        for (; i < y.Length; i++) y[i] = TCmp.Test(a[i], b) ? T.One : T.Zero;
    }
}

/// <summary>a where b &gt; 0, else 0: the ReLU backward rule applied to (gradient, output) in one pass.</summary>
internal struct PassWherePositiveOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b) => b > T.Zero ? a : T.Zero;
    public static void Apply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y)
    {
        int i = 0, w = Vector<T>.Count;
        for (; i <= y.Length - w; i += w)
        {
            var vb = new Vector<T>(b[i..]);
            Vector.ConditionalSelect(Vector.GreaterThan(vb, Vector<T>.Zero), new Vector<T>(a[i..]), Vector<T>.Zero).CopyTo(y[i..]);
        }
        for (; i < y.Length; i++) y[i] = b[i] > T.Zero ? a[i] : T.Zero;
    }
    public static void Apply(ReadOnlySpan<T> a, T b, Span<T> y) { if (b > T.Zero) a.CopyTo(y); else y.Clear(); }
    public static void Apply(T a, ReadOnlySpan<T> b, Span<T> y) { for (int i = 0; i < y.Length; i++) y[i] = b[i] > T.Zero ? a : T.Zero; }
}

internal struct NegOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{ public static void Apply(ReadOnlySpan<T> x, Span<T> y) => TensorPrimitives.Negate(x, y); }

internal struct ExpOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{ public static void Apply(ReadOnlySpan<T> x, Span<T> y) => TensorPrimitives.Exp(x, y); }

internal struct LogOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{ public static void Apply(ReadOnlySpan<T> x, Span<T> y) => TensorPrimitives.Log(x, y); }

internal struct SqrtOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{ public static void Apply(ReadOnlySpan<T> x, Span<T> y) => TensorPrimitives.Sqrt(x, y); }

internal struct TanhOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{ public static void Apply(ReadOnlySpan<T> x, Span<T> y) => TensorPrimitives.Tanh(x, y); }

internal struct SigmoidOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{ public static void Apply(ReadOnlySpan<T> x, Span<T> y) => TensorPrimitives.Sigmoid(x, y); }

internal struct ReluOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{ public static void Apply(ReadOnlySpan<T> x, Span<T> y) => TensorPrimitives.Max(x, T.Zero, y); }

internal struct AbsOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{ public static void Apply(ReadOnlySpan<T> x, Span<T> y) => TensorPrimitives.Abs(x, y); }

internal struct SignOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{ public static void Apply(ReadOnlySpan<T> x, Span<T> y) { for (int i = 0; i < y.Length; i++) y[i] = T.CreateTruncating(T.Sign(x[i])); } }

internal struct ErfOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{ public static void Apply(ReadOnlySpan<T> x, Span<T> y) { for (int i = 0; i < y.Length; i++) y[i] = T.CreateTruncating(SpecialFunctions.Erf(double.CreateTruncating(x[i]))); } }
