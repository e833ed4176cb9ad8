using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MLNetDeep.Estimators.Word2Vec;

/// <summary>
/// The vector primitives of the word2vec SGD loop (dot product, y += a·x) on raw float references, with
/// Vector512/Vector256/Vector128 bodies and fused scalar tails (element-wise results do not depend on the width), plus the precomputed logistic table: σ(x) is read from
/// <see cref="TableSize"/> samples over [-<see cref="MaxExp"/>, <see cref="MaxExp"/>].
/// </summary>
internal static class Word2VecKernels
{
    public const int TableSize = 1000;
    public const float MaxExp = 6f;
    private const float TableScale = TableSize / MaxExp / 2f;

    private static readonly float[] s_sigmoid = BuildSigmoid();

    private static float[] BuildSigmoid()
    {
        var t = new float[TableSize + 1];
        for (int i = 0; i <= TableSize; i++)
        {
            double x = (2.0 * i / TableSize - 1.0) * MaxExp;
            t[i] = (float)(1.0 / (1.0 + Math.Exp(-x)));
        }
        return t;
    }

    /// <summary>σ(f) for -MaxExp &lt; f &lt; MaxExp, from the table.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float f) => s_sigmoid[(int)((f + MaxExp) * TableScale)];

    /// <summary>
    /// Σ a[i]·b[i] over <paramref name="n"/> values. The summation order is the same on every x64 machine with
    /// AVX2 (with or without AVX-512): two 256-bit accumulators, one 128-bit step, then scalar FMAs, so a
    /// seeded single-thread run gives the same vectors on those machines.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(ref float a, ref float b, int n)
    {
        int i = 0;
        float sum = 0f;
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            var acc0 = Vector256<float>.Zero;
            var acc1 = Vector256<float>.Zero;
            for (; i <= n - 16; i += 16)
            {
                acc0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref a, (nuint)i), Vector256.LoadUnsafe(ref b, (nuint)i), acc0);
                acc1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref a, (nuint)(i + 8)), Vector256.LoadUnsafe(ref b, (nuint)(i + 8)), acc1);
            }
            if (i <= n - 8)
            {
                acc0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref a, (nuint)i), Vector256.LoadUnsafe(ref b, (nuint)i), acc0);
                i += 8;
            }
            sum = Vector256.Sum(acc0 + acc1);
        }
        if (Vector128.IsHardwareAccelerated && i <= n - 4)
        {
            sum += Vector128.Sum(Vector128.LoadUnsafe(ref a, (nuint)i) * Vector128.LoadUnsafe(ref b, (nuint)i));
            i += 4;
        }
        for (; i < n; i++) sum = MathF.FusedMultiplyAdd(Unsafe.Add(ref a, i), Unsafe.Add(ref b, i), sum);
        return sum;
    }

    /// <summary>y[i] += alpha·x[i] over <paramref name="n"/> values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Axpy(float alpha, ref float x, ref float y, int n)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            var a = Vector512.Create(alpha);
            for (; i <= n - 16; i += 16)
                Vector512.FusedMultiplyAdd(a, Vector512.LoadUnsafe(ref x, (nuint)i), Vector512.LoadUnsafe(ref y, (nuint)i)).StoreUnsafe(ref y, (nuint)i);
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var a = Vector256.Create(alpha);
            for (; i <= n - 8; i += 8)
                Vector256.FusedMultiplyAdd(a, Vector256.LoadUnsafe(ref x, (nuint)i), Vector256.LoadUnsafe(ref y, (nuint)i)).StoreUnsafe(ref y, (nuint)i);
        }
        if (Vector128.IsHardwareAccelerated && i <= n - 4)
        {
            Vector128.FusedMultiplyAdd(Vector128.Create(alpha), Vector128.LoadUnsafe(ref x, (nuint)i), Vector128.LoadUnsafe(ref y, (nuint)i)).StoreUnsafe(ref y, (nuint)i);
            i += 4;
        }
        for (; i < n; i++) Unsafe.Add(ref y, i) = MathF.FusedMultiplyAdd(alpha, Unsafe.Add(ref x, i), Unsafe.Add(ref y, i));
    }

    /// <summary>
    /// The two updates of one output row in a single pass: error += g·row (with the old row), then
    /// row += g·hidden, over <paramref name="n"/> values.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void UpdateOutput(float g, ref float hidden, ref float row, ref float error, int n)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            var gv = Vector512.Create(g);
            for (; i <= n - 16; i += 16)
            {
                var r = Vector512.LoadUnsafe(ref row, (nuint)i);
                Vector512.FusedMultiplyAdd(gv, r, Vector512.LoadUnsafe(ref error, (nuint)i)).StoreUnsafe(ref error, (nuint)i);
                Vector512.FusedMultiplyAdd(gv, Vector512.LoadUnsafe(ref hidden, (nuint)i), r).StoreUnsafe(ref row, (nuint)i);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var gv = Vector256.Create(g);
            for (; i <= n - 8; i += 8)
            {
                var r = Vector256.LoadUnsafe(ref row, (nuint)i);
                Vector256.FusedMultiplyAdd(gv, r, Vector256.LoadUnsafe(ref error, (nuint)i)).StoreUnsafe(ref error, (nuint)i);
                Vector256.FusedMultiplyAdd(gv, Vector256.LoadUnsafe(ref hidden, (nuint)i), r).StoreUnsafe(ref row, (nuint)i);
            }
        }
        if (Vector128.IsHardwareAccelerated && i <= n - 4)
        {
            var gv = Vector128.Create(g);
            var r = Vector128.LoadUnsafe(ref row, (nuint)i);
            Vector128.FusedMultiplyAdd(gv, r, Vector128.LoadUnsafe(ref error, (nuint)i)).StoreUnsafe(ref error, (nuint)i);
            Vector128.FusedMultiplyAdd(gv, Vector128.LoadUnsafe(ref hidden, (nuint)i), r).StoreUnsafe(ref row, (nuint)i);
            i += 4;
        }
        for (; i < n; i++)
        {
            float r = Unsafe.Add(ref row, i);
            Unsafe.Add(ref error, i) = MathF.FusedMultiplyAdd(g, r, Unsafe.Add(ref error, i));
            Unsafe.Add(ref row, i) = MathF.FusedMultiplyAdd(g, Unsafe.Add(ref hidden, i), r);
        }
    }
}
