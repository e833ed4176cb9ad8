using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MLNetDeep.Tensors.Kernels;

/// <summary>
/// Float32 forward of a network's stem: a dense 3×3, stride-2 convolution over few input channels
/// (RGB or grey), top/left padding 0 or 1. An im2col GEMM would spend as long writing and re-reading
/// the 27-row unfold as multiplying. Here, per output row and 16-column block, the C·9 input taps are
/// built once in registers (masked loads, even/odd lane permutes for the stride, as in
/// <see cref="Depthwise3x3F32"/>), then every output channel accumulates them in tap order from zero and
/// adds its bias at the end: the order of the im2col GEMM's single K slab, so both give the same values.
/// Needs AVX-512.
/// </summary>
internal static unsafe class StemConvF32
{
    private const int MaxChannels = 4, Group = 8;

    /// <summary>Whether <paramref name="q"/> is a stem convolution this kernel handles on this CPU.</summary>
    public static bool Handles(in ConvGeometry q) =>
        Avx512F.IsSupported && q.G == 1 && q.C <= MaxChannels && q.KH == 3 && q.KW == 3 && q.SH == 2 && q.SW == 2
        && q.DH == 1 && q.DW == 1 && q.PT is 0 or 1 && q.PL is 0 or 1;

    /// <summary>y[N, O, OH, OW] = conv3×3/2(x, w) (+ bias), clamped to [lo, hi].</summary>
    public static void Forward(in ConvGeometry q, float[] x, int xOff, float[] w, int wOff, float[]? bias, int bOff, float[] y,
        float lo, float hi)
    {
        var g = q;
        var rows = new BandRows(q, x, xOff, w, wOff, bias, bOff, lo, hi);
        Parallelism.For(q.N * q.OH, 1, (s, e) =>
        {
            fixed (float* py = y)
                for (int row = s; row < e; )
                {
                    // Runs of rows within one sample, written in place.
                    int n = row / g.OH, oh = row % g.OH, end = Math.Min(e, (n + 1) * g.OH);
                    rows.Rows(n, oh, oh + end - row, py + (long)n * g.O * g.P + (long)oh * g.OW, g.P);
                    row = end;
                }
        });
    }

    /// <summary>
    /// Output rows of the stem for the fused band kernel (<see cref="PointwiseDepthwiseF32"/>): the weights are
    /// rearranged once, rows [from, to) of sample n land at dst (channel o at dst + o·plane).
    /// </summary>
    internal sealed class BandRows : IBandRows
    {
        private readonly ConvGeometry _q;
        private readonly float[] _x, _wt;
        private readonly float[]? _bias;
        private readonly int _xOff, _bOff, _taps, _groups;
        private readonly float _lo, _hi;
        private readonly Vector512<float>[] _masks;

        public BandRows(in ConvGeometry q, float[] x, int xOff, float[] w, int wOff, float[]? bias, int bOff, float lo, float hi)
        {
            if (!Handles(q)) throw new ArgumentException("StemConvF32 needs a 3×3 stride-2 convolution over at most four channels.");
            _q = q;
            _x = x;
            _xOff = xOff;
            _bias = bias;
            _bOff = bOff;
            _lo = lo;
            _hi = hi;
            _taps = q.C * 9;
            _groups = (q.O + Group - 1) / Group;
            // Weights as [group][tap][8 channels], zero-filled past O, so a group's broadcasts are sequential.
            _wt = new float[_groups * _taps * Group];
            for (int o = 0; o < q.O; o++)
                for (int t = 0; t < _taps; t++)
                    _wt[(o / Group * _taps + t) * Group + o % Group] = w[wOff + o * _taps + t];
            _masks = Depthwise3x3F32.Masks(q); // same columns per 16-output block as a stride-2 depthwise
        }

        public void Rows(int n, int from, int to, float* dst, long plane)
        {
            var g = _q;
            Vector512<float>* taps = stackalloc Vector512<float>[_taps];
            fixed (float* px = _x, pw = _wt, pb = _bias)
            fixed (Vector512<float>* pm = _masks)
            {
                float* xs = px + _xOff + (long)n * g.C * g.H * g.W;
                for (int oh = from; oh < to; oh++)
                    for (int ow = 0, blk = 0; ow < g.OW; ow += 16, blk++)
                    {
                        Taps(g, xs, oh, ow, pm + blk * 3, taps);
                        float* yo = dst + (long)(oh - from) * g.OW + ow;
                        for (int gi = 0; gi < _groups; gi++)
                            Accumulate(taps, _taps, pw + gi * _taps * Group, pb == null ? null : pb + _bOff, gi * Group, Math.Min(Group, g.O - gi * Group),
                                yo, plane, g.OW - ow, _lo, _hi);
                    }
            }
        }
    }

    /// <summary>The C·9 tap vectors of output row <paramref name="oh"/>, columns [ow, ow + 16), zero outside the input.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Taps(in ConvGeometry g, float* xs, int oh, int ow, Vector512<float>* masks, Vector512<float>* taps)
    {
        var (shift1, _, even, odd) = Depthwise3x3F32.Lanes();
        int c0 = 2 * ow - g.PL;
        for (int c = 0; c < g.C; c++)
            for (int i = 0; i < 3; i++)
            {
                Vector512<float>* t = taps + c * 9 + i * 3;
                int r = 2 * oh - g.PT + i;
                if ((uint)r >= (uint)g.H) { t[0] = t[1] = t[2] = Vector512<float>.Zero; continue; }
                var row = Depthwise3x3F32.Taps2(xs + ((long)c * g.H + r) * g.W + c0, masks, even, odd, shift1);
                (t[0], t[1], t[2]) = (row.T0, row.T1, row.T2);
            }
    }

    /// <summary>Up to eight output channels of one 16-column block: Σ taps·w from zero in tap order, + bias, clamp, store.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Accumulate(Vector512<float>* taps, int count, float* w, float* bias, int o0, int channels, float* y, long plane, int left,
        float lo, float hi)
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        for (int t = 0; t < count; t++, w += Group)
        {
            var v = taps[t];
            a0 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(w[0]), a0);
            a1 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(w[1]), a1);
            a2 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(w[2]), a2);
            a3 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(w[3]), a3);
            a4 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(w[4]), a4);
            a5 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(w[5]), a5);
            a6 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(w[6]), a6);
            a7 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(w[7]), a7);
        }
        var clamp = new VectorClamp(lo, hi);
        for (int k = 0; k < channels; k++)
        {
            var v = k switch { 0 => a0, 1 => a1, 2 => a2, 3 => a3, 4 => a4, 5 => a5, 6 => a6, _ => a7 };
            Depthwise3x3F32.Store(clamp.Of(v + Vector512.Create(bias != null ? bias[o0 + k] : 0f)), y + (o0 + k) * plane, left);
        }
    }
}
