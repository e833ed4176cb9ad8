using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MLNetDeep.Tensors.Kernels;

/// <summary>
/// Float32 3×3 depthwise forward (stride 1 or 2, top/left padding 0 or 1, no dilation), read straight
/// from the NCHW input: no zero-padded copy of the plane. Each output vector of 16 columns loads the
/// input row once per kernel row with masked loads (lanes outside the row read as zero, which is the
/// padding) and builds the three column taps with two-source lane permutes; rows above or below the
/// input are skipped. Taps accumulate in the same order as <see cref="DepthwiseConvF32"/> (bias, then
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
        int blocks = (q.OW + 15) / 16;
        // Per column block: the validity masks of the (up to three) input vectors it reads, the same for every row.
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
        long work = (long)q.N * q.O * q.P * 9;
        int minChunk = work < 1 << 16 ? q.N * q.O : 1;
        Parallelism.For(q.N * q.O, minChunk, (s, e) =>
        {
            fixed (float* px = x, pw = w, py = y, pbias = bias)
            fixed (Vector512<float>* pm = masks)
            {
                var clamp = new Clamp(lo, hi);
                for (int pl = s; pl < e; pl++)
                {
                    int o = pl % g.O;
                    float* xp = px + xOff + (long)pl * g.H * g.W; // Og == 1: plane pl of x feeds plane pl of y
                    float* wo = pw + wOff + (long)o * 9;
                    float b0 = pbias != null ? pbias[bOff + o] : 0f;
                    float* yp = py + (long)pl * g.P;
                    if (g.SW == 1) PlaneStride1(g, xp, wo, b0, clamp, pm, yp);
                    else PlaneStride2(g, xp, wo, b0, clamp, pm, yp);
                }
            }
        });
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PlaneStride1(in ConvGeometry g, float* xp, float* wo, float bias, Clamp clamp, Vector512<float>* masks, float* yp)
    {
        Vector512<float> w0 = Vector512.Create(wo[0]), w1 = Vector512.Create(wo[1]), w2 = Vector512.Create(wo[2]),
            w3 = Vector512.Create(wo[3]), w4 = Vector512.Create(wo[4]), w5 = Vector512.Create(wo[5]),
            w6 = Vector512.Create(wo[6]), w7 = Vector512.Create(wo[7]), w8 = Vector512.Create(wo[8]);
        var b0 = Vector512.Create(bias);
        var shift1 = Vector512<int>.Indices + Vector512.Create(1);
        var shift2 = Vector512<int>.Indices + Vector512.Create(2);
        int oh1 = g.OH, ow1 = g.OW, h1 = g.H, w1n = g.W;
        for (int oh = 0; oh < oh1; oh++)
        {
            int r0 = oh - g.PT;
            float* yr = yp + oh * ow1;
            for (int ow = 0, blk = 0; ow < ow1; ow += 16, blk++)
            {
                int c0 = ow - g.PL;
                var mA = masks[blk * 3];
                var mB = masks[blk * 3 + 1];
                var a = b0;
                if ((uint)r0 < (uint)h1)
                {
                    float* xr = xp + r0 * w1n + c0;
                    var vA = Avx512F.MaskLoad(xr, mA, Vector512<float>.Zero);
                    var vB = Avx512F.MaskLoad(xr + 16, mB, Vector512<float>.Zero);
                    a = Vector512.FusedMultiplyAdd(vA, w0, a);
                    a = Vector512.FusedMultiplyAdd(Avx512F.PermuteVar16x32x2(vA, shift1, vB), w1, a);
                    a = Vector512.FusedMultiplyAdd(Avx512F.PermuteVar16x32x2(vA, shift2, vB), w2, a);
                }
                if ((uint)(r0 + 1) < (uint)h1)
                {
                    float* xr = xp + (r0 + 1) * w1n + c0;
                    var vA = Avx512F.MaskLoad(xr, mA, Vector512<float>.Zero);
                    var vB = Avx512F.MaskLoad(xr + 16, mB, Vector512<float>.Zero);
                    a = Vector512.FusedMultiplyAdd(vA, w3, a);
                    a = Vector512.FusedMultiplyAdd(Avx512F.PermuteVar16x32x2(vA, shift1, vB), w4, a);
                    a = Vector512.FusedMultiplyAdd(Avx512F.PermuteVar16x32x2(vA, shift2, vB), w5, a);
                }
                if ((uint)(r0 + 2) < (uint)h1)
                {
                    float* xr = xp + (r0 + 2) * w1n + c0;
                    var vA = Avx512F.MaskLoad(xr, mA, Vector512<float>.Zero);
                    var vB = Avx512F.MaskLoad(xr + 16, mB, Vector512<float>.Zero);
                    a = Vector512.FusedMultiplyAdd(vA, w6, a);
                    a = Vector512.FusedMultiplyAdd(Avx512F.PermuteVar16x32x2(vA, shift1, vB), w7, a);
                    a = Vector512.FusedMultiplyAdd(Avx512F.PermuteVar16x32x2(vA, shift2, vB), w8, a);
                }
                Store(clamp.Of(a), yr + ow, ow1 - ow);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PlaneStride2(in ConvGeometry g, float* xp, float* wo, float bias, Clamp clamp, Vector512<float>* masks, float* yp)
    {
        Vector512<float> w0 = Vector512.Create(wo[0]), w1 = Vector512.Create(wo[1]), w2 = Vector512.Create(wo[2]),
            w3 = Vector512.Create(wo[3]), w4 = Vector512.Create(wo[4]), w5 = Vector512.Create(wo[5]),
            w6 = Vector512.Create(wo[6]), w7 = Vector512.Create(wo[7]), w8 = Vector512.Create(wo[8]);
        var b0 = Vector512.Create(bias);
        var even = Vector512<int>.Indices * 2;
        var odd = even + Vector512.Create(1);
        var next = Vector512<int>.Indices + Vector512.Create(1); // lanes 1..15 of the first source, then lane 0 of the second
        int oh1 = g.OH, ow1 = g.OW, h1 = g.H, w1n = g.W;
        for (int oh = 0; oh < oh1; oh++)
        {
            int r0 = 2 * oh - g.PT;
            float* yr = yp + oh * ow1;
            for (int ow = 0, blk = 0; ow < ow1; ow += 16, blk++)
            {
                int c0 = 2 * ow - g.PL;
                var mA = masks[blk * 3];
                var mB = masks[blk * 3 + 1];
                var mC = masks[blk * 3 + 2];
                var a = b0;
                for (int i = 0; i < 3; i++)
                {
                    int r = r0 + i;
                    if ((uint)r >= (uint)h1) continue;
                    float* xr = xp + r * w1n + c0;
                    var vA = Avx512F.MaskLoad(xr, mA, Vector512<float>.Zero);
                    var vB = Avx512F.MaskLoad(xr + 16, mB, Vector512<float>.Zero);
                    var vC = Avx512F.MaskLoad(xr + 32, mC, Vector512<float>.Zero);
                    var e = Avx512F.PermuteVar16x32x2(vA, even, vB);
                    var d = Avx512F.PermuteVar16x32x2(vA, odd, vB);
                    var e2 = Avx512F.PermuteVar16x32x2(e, next, vC);
                    var (wa, wb, wc) = i == 0 ? (w0, w1, w2) : i == 1 ? (w3, w4, w5) : (w6, w7, w8);
                    a = Vector512.FusedMultiplyAdd(e, wa, a);
                    a = Vector512.FusedMultiplyAdd(d, wb, a);
                    a = Vector512.FusedMultiplyAdd(e2, wc, a);
                }
                Store(clamp.Of(a), yr + ow, ow1 - ow);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector512<float> v, float* at, int left)
    {
        if (left >= 16) Vector512.Store(v, at);
        else Avx512F.MaskStore(at, Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(left)).AsSingle(), v);
    }

    private readonly struct Clamp(float lo, float hi)
    {
        private readonly bool _lo = !float.IsNegativeInfinity(lo), _hi = !float.IsPositiveInfinity(hi);
        private readonly Vector512<float> _vlo = Vector512.Create(lo), _vhi = Vector512.Create(hi);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<float> Of(Vector512<float> v)
        {
            if (_lo) v = Vector512.Max(v, _vlo);
            if (_hi) v = Vector512.Min(v, _vhi);
            return v;
        }
    }
}
