using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MLNetDeep.Tensors.Kernels;

/// <summary>
/// Float32 3×3 depthwise forward (stride 1 or 2, top/left padding 0 or 1, no dilation), read straight
/// from the NCHW input: no zero-padded copy of the plane. Two output rows are computed per pass (their
/// input rows are loaded once for both, and the two accumulation chains interleave); per 16 output
/// columns each input row takes masked loads (lanes outside the row read as zero, which is the padding)
/// and two-source lane permutes build the three column taps; rows above or below the input are skipped. Taps accumulate in the same order as <see cref="DepthwiseConvF32"/> (bias, then
/// row-major taps), so both paths give the same values. Needs AVX-512.
/// </summary>
internal static unsafe class Depthwise3x3F32
{
    /// <summary>Whether <paramref name="q"/> is a depthwise convolution this kernel handles on this CPU.</summary>
    public static bool Handles(in ConvGeometry q) =>
        Avx512F.IsSupported && q.IsDepthwise && q.Og == 1 && q.KH == 3 && q.KW == 3 && q.DH == 1 && q.DW == 1
        && q.SH == q.SW && q.SH is 1 or 2 && q.PT is 0 or 1 && q.PL is 0 or 1;

    /// <summary>y[N, C, OH, OW] = depthwise 3×3 conv(x, w) (+ bias), clamped to [lo, hi].</summary>
    public static void Forward(in ConvGeometry q, float[] x, int xOff, float[] w, int wOff, float[]? bias, int bOff, float[] y,
        float lo, float hi)
    {
        var g = q;
        var masks = Masks(q);
        long work = (long)q.N * q.O * q.P * 9;
        int minChunk = work < 1 << 16 ? q.N * q.O : 1;
        Parallelism.For(q.N * q.O, minChunk, (s, e) =>
        {
            fixed (float* px = x, pw = w, py = y, pbias = bias)
            fixed (Vector512<float>* pm = masks)
            {
                var clamp = new VectorClamp(lo, hi);
                for (int pl = s; pl < e; pl++)
                {
                    int o = pl % g.O;
                    float* xp = px + xOff + (long)pl * g.H * g.W; // Og == 1: plane pl of x feeds plane pl of y
                    float* wo = pw + wOff + (long)o * 9;
                    float b0 = pbias != null ? pbias[bOff + o] : 0f;
                    float* yp = py + (long)pl * g.P;
                    if (g.SW == 1) PlaneStride1(g, xp, 0, g.H, 0, g.OH, wo, b0, clamp, pm, yp);
                    else PlaneStride2(g, xp, 0, g.H, 0, g.OH, wo, b0, clamp, pm, yp);
                }
            }
        });
    }

    /// <summary>Per 16-column output block: the validity masks of the (up to three) input vectors it reads, the same for every row.</summary>
    public static Vector512<float>[] Masks(in ConvGeometry q)
    {
        int blocks = (q.OW + 15) / 16;
        var masks = new Vector512<float>[blocks * 3];
        for (int b = 0; b < blocks; b++)
        {
            int c0 = b * 16 * q.SW - q.PL;
            for (int v = 0; v < 3; v++)
            {
                var col = Vector512.Create(c0 + 16 * v) + Vector512<int>.Indices;
                masks[b * 3 + v] = (Vector512.GreaterThanOrEqual(col, Vector512<int>.Zero) & Vector512.LessThan(col, Vector512.Create(q.W))).AsSingle();
            }
        }
        return masks;
    }

    /// <summary>
    /// Output rows [oh0, oh1) of one channel plane whose input rows [rowLo, rowHi) are available at
    /// <paramref name="xp"/> + row·W (the rows outside the plane, r &lt; 0 or r ≥ H, are padding and must
    /// lie outside that range; every row inside the plane the outputs need must lie inside it).
    /// </summary>
    public static void Band(in ConvGeometry g, float* xp, int rowLo, int rowHi, int oh0, int oh1, float* w9, float bias, float lo, float hi,
        Vector512<float>* masks, float* yp)
    {
        var clamp = new VectorClamp(lo, hi);
        if (g.SW == 1) PlaneStride1(g, xp, rowLo, rowHi, oh0, oh1, w9, bias, clamp, masks, yp);
        else PlaneStride2(g, xp, rowLo, rowHi, oh0, oh1, w9, bias, clamp, masks, yp);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PlaneStride1(in ConvGeometry g, float* xp, int rowLo, int rowHi, int oh0, int oh1, float* wo, float bias, VectorClamp clamp,
        Vector512<float>* masks, float* yp)
    {
        Vector512<float> w0 = Vector512.Create(wo[0]), w1 = Vector512.Create(wo[1]), w2 = Vector512.Create(wo[2]),
            w3 = Vector512.Create(wo[3]), w4 = Vector512.Create(wo[4]), w5 = Vector512.Create(wo[5]),
            w6 = Vector512.Create(wo[6]), w7 = Vector512.Create(wo[7]), w8 = Vector512.Create(wo[8]);
        var b0 = Vector512.Create(bias);
        var (shift1, shift2, _, _) = Lanes();
        int ow1 = g.OW, rows = rowHi - rowLo, w1n = g.W;
        int oh = oh0;
        // Two output rows at a time: four input rows feed both, and the two accumulation chains interleave.
        for (; oh + 1 < oh1; oh += 2)
        {
            int r0 = oh - g.PT;
            float* y0 = yp + oh * ow1;
            bool v0 = (uint)(r0 - rowLo) < (uint)rows, v1 = (uint)(r0 + 1 - rowLo) < (uint)rows,
                v2 = (uint)(r0 + 2 - rowLo) < (uint)rows, v3 = (uint)(r0 + 3 - rowLo) < (uint)rows;
            for (int ow = 0, blk = 0; ow < ow1; ow += 16, blk++)
            {
                float* xr = xp + r0 * w1n + ow - g.PL;
                Vector512<float> mA = masks[blk * 3], mB = masks[blk * 3 + 1];
                var a = b0;
                var b = b0;
                if (v0) { var t = Taps1(xr, mA, mB, shift1, shift2); a = Row(t, w0, w1, w2, a); }
                if (v1) { var t = Taps1(xr + w1n, mA, mB, shift1, shift2); a = Row(t, w3, w4, w5, a); b = Row(t, w0, w1, w2, b); }
                if (v2) { var t = Taps1(xr + 2 * w1n, mA, mB, shift1, shift2); a = Row(t, w6, w7, w8, a); b = Row(t, w3, w4, w5, b); }
                if (v3) { var t = Taps1(xr + 3 * w1n, mA, mB, shift1, shift2); b = Row(t, w6, w7, w8, b); }
                Store(clamp.Of(a), y0 + ow, ow1 - ow);
                Store(clamp.Of(b), y0 + ow1 + ow, ow1 - ow);
            }
        }
        for (; oh < oh1; oh++)
        {
            int r0 = oh - g.PT;
            bool v0 = (uint)(r0 - rowLo) < (uint)rows, v1 = (uint)(r0 + 1 - rowLo) < (uint)rows, v2 = (uint)(r0 + 2 - rowLo) < (uint)rows;
            for (int ow = 0, blk = 0; ow < ow1; ow += 16, blk++)
            {
                float* xr = xp + r0 * w1n + ow - g.PL;
                Vector512<float> mA = masks[blk * 3], mB = masks[blk * 3 + 1];
                var a = b0;
                if (v0) { var t = Taps1(xr, mA, mB, shift1, shift2); a = Row(t, w0, w1, w2, a); }
                if (v1) { var t = Taps1(xr + w1n, mA, mB, shift1, shift2); a = Row(t, w3, w4, w5, a); }
                if (v2) { var t = Taps1(xr + 2 * w1n, mA, mB, shift1, shift2); a = Row(t, w6, w7, w8, a); }
                Store(clamp.Of(a), yp + oh * ow1 + ow, ow1 - ow);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PlaneStride2(in ConvGeometry g, float* xp, int rowLo, int rowHi, int oh0, int oh1, float* wo, float bias, VectorClamp clamp,
        Vector512<float>* masks, float* yp)
    {
        Vector512<float> w0 = Vector512.Create(wo[0]), w1 = Vector512.Create(wo[1]), w2 = Vector512.Create(wo[2]),
            w3 = Vector512.Create(wo[3]), w4 = Vector512.Create(wo[4]), w5 = Vector512.Create(wo[5]),
            w6 = Vector512.Create(wo[6]), w7 = Vector512.Create(wo[7]), w8 = Vector512.Create(wo[8]);
        var b0 = Vector512.Create(bias);
        var (shift1, _, even, odd) = Lanes();
        int ow1 = g.OW, rows = rowHi - rowLo, w1n = g.W;
        int oh = oh0;
        // Two output rows at a time: five input rows feed both (the middle one twice).
        for (; oh + 1 < oh1; oh += 2)
        {
            int r0 = 2 * oh - g.PT;
            float* y0 = yp + oh * ow1;
            bool v0 = (uint)(r0 - rowLo) < (uint)rows, v1 = (uint)(r0 + 1 - rowLo) < (uint)rows, v2 = (uint)(r0 + 2 - rowLo) < (uint)rows,
                v3 = (uint)(r0 + 3 - rowLo) < (uint)rows, v4 = (uint)(r0 + 4 - rowLo) < (uint)rows;
            for (int ow = 0, blk = 0; ow < ow1; ow += 16, blk++)
            {
                float* xr = xp + r0 * w1n + 2 * ow - g.PL;
                Vector512<float>* m = masks + blk * 3;
                var a = b0;
                var b = b0;
                if (v0) { var t = Taps2(xr, m, even, odd, shift1); a = Row(t, w0, w1, w2, a); }
                if (v1) { var t = Taps2(xr + w1n, m, even, odd, shift1); a = Row(t, w3, w4, w5, a); }
                if (v2) { var t = Taps2(xr + 2 * w1n, m, even, odd, shift1); a = Row(t, w6, w7, w8, a); b = Row(t, w0, w1, w2, b); }
                if (v3) { var t = Taps2(xr + 3 * w1n, m, even, odd, shift1); b = Row(t, w3, w4, w5, b); }
                if (v4) { var t = Taps2(xr + 4 * w1n, m, even, odd, shift1); b = Row(t, w6, w7, w8, b); }
                Store(clamp.Of(a), y0 + ow, ow1 - ow);
                Store(clamp.Of(b), y0 + ow1 + ow, ow1 - ow);
            }
        }
        for (; oh < oh1; oh++)
        {
            int r0 = 2 * oh - g.PT;
            bool v0 = (uint)(r0 - rowLo) < (uint)rows, v1 = (uint)(r0 + 1 - rowLo) < (uint)rows, v2 = (uint)(r0 + 2 - rowLo) < (uint)rows;
            for (int ow = 0, blk = 0; ow < ow1; ow += 16, blk++)
            {
                float* xr = xp + r0 * w1n + 2 * ow - g.PL;
                Vector512<float>* m = masks + blk * 3;
                var a = b0;
                if (v0) { var t = Taps2(xr, m, even, odd, shift1); a = Row(t, w0, w1, w2, a); }
                if (v1) { var t = Taps2(xr + w1n, m, even, odd, shift1); a = Row(t, w3, w4, w5, a); }
                if (v2) { var t = Taps2(xr + 2 * w1n, m, even, odd, shift1); a = Row(t, w6, w7, w8, a); }
                Store(clamp.Of(a), yp + oh * ow1 + ow, ow1 - ow);
            }
        }
    }

    /// <summary>
    /// Stride 1: input columns c, c + 1, c + 2 for 16 outputs from one row, <paramref name="xr"/> at column c
    /// (two masked loads under the block's masks m[0], m[1]; two lane permutes).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Taps Taps1(float* xr, Vector512<float> mA, Vector512<float> mB, Vector512<int> shift1, Vector512<int> shift2)
    {
        var vA = Avx512F.MaskLoad(xr, mA, Vector512<float>.Zero);
        var vB = Avx512F.MaskLoad(xr + 16, mB, Vector512<float>.Zero);
        return new Taps(vA, Avx512F.PermuteVar16x32x2(vA, shift1, vB), Avx512F.PermuteVar16x32x2(vA, shift2, vB));
    }

    /// <summary>
    /// Stride 2: input columns 2c, 2c + 1, 2c + 2 for 16 outputs from one row, <paramref name="xr"/> at column 2c
    /// (three masked loads under the block's masks m[0..2]; an even/odd split and a shift). Also the stem's taps.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Taps Taps2(float* xr, Vector512<float>* m, Vector512<int> even, Vector512<int> odd, Vector512<int> shift1)
    {
        var vA = Avx512F.MaskLoad(xr, m[0], Vector512<float>.Zero);
        var vB = Avx512F.MaskLoad(xr + 16, m[1], Vector512<float>.Zero);
        var vC = Avx512F.MaskLoad(xr + 32, m[2], Vector512<float>.Zero);
        var t0 = Avx512F.PermuteVar16x32x2(vA, even, vB);
        return new Taps(t0, Avx512F.PermuteVar16x32x2(vA, odd, vB), Avx512F.PermuteVar16x32x2(t0, shift1, vC));
    }

    /// <summary>
    /// The permute indices of <see cref="Taps1"/> and <see cref="Taps2"/>: lanes shifted by one and by two,
    /// and the even and odd lanes of two vectors.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static (Vector512<int> Shift1, Vector512<int> Shift2, Vector512<int> Even, Vector512<int> Odd) Lanes() =>
        (Vector512<int>.Indices + Vector512.Create(1), Vector512<int>.Indices + Vector512.Create(2),
         Vector512<int>.Indices * 2, Vector512<int>.Indices * 2 + Vector512.Create(1));

    /// <summary>The three column taps of one input row for 16 outputs.</summary>
    internal readonly record struct Taps(Vector512<float> T0, Vector512<float> T1, Vector512<float> T2);

    /// <summary>acc + T0·w0 + T1·w1 + T2·w2, in that order (fused multiply-adds).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Row(Taps t, Vector512<float> w0, Vector512<float> w1, Vector512<float> w2, Vector512<float> acc) =>
        Vector512.FusedMultiplyAdd(t.T2, w2, Vector512.FusedMultiplyAdd(t.T1, w1, Vector512.FusedMultiplyAdd(t.T0, w0, acc)));

    /// <summary>Stores the first min(16, <paramref name="left"/>) lanes of <paramref name="v"/> at <paramref name="at"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Store(Vector512<float> v, float* at, int left)
    {
        if (left >= 16) Vector512.Store(v, at);
        else Avx512F.MaskStore(at, Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(left)).AsSingle(), v);
    }
}
