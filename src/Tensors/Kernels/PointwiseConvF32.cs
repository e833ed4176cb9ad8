using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MLNetDeep.Tensors.Kernels;

/// <summary>
/// Float32 forward of a 1×1, stride-1, unpadded, ungrouped convolution as ONE GEMM over the whole batch:
/// y[n, o, p] = clamp(Σc W[o, c]·x[n, c, p] + bias[o]). The B operand is the virtual [C, N·P] matrix whose
/// column j is pixel j mod P of sample j / P: the B packing gathers NR-column slivers straight from the
/// input planes (a sliver may straddle two samples), and tiles that straddle samples are computed into a
/// scratch tile and scattered. So small planes (7×7, 14×14) fill whole micro-kernel tiles and both
/// threads get work even at batch 1 (the threads split the rows of W when there are more rows than
/// columns). A comes pre-packed (<see cref="GemmPackedA"/>). The summation order is the blocked GEMM's
/// (same KC slabs, same micro-kernel), so results equal <see cref="Gemm.SgemmFused"/> per sample bit for bit.
/// </summary>
internal static unsafe class PointwiseConvF32
{
    private const int MR = GemmMicroKernel.MR, NR = GemmMicroKernel.NR, KC = Gemm.KC, MC = Gemm.MC, NC = Gemm.NC;
    private const long SerialFlops = 1L << 18;

    /// <summary>Operands of one call, as raw pointers (pinned by the caller for the whole call).</summary>
    private readonly struct Job
    {
        public readonly nint X, A, Y, Bias;
        public readonly int C, O, P;
        public readonly GemmPackedA W;
        public readonly float Lo, Hi;

        public Job(float* x, float* a, float* y, float* bias, int c, int o, int p, GemmPackedA w, float lo, float hi)
        {
            X = (nint)x; A = (nint)a; Y = (nint)y; Bias = (nint)bias;
            C = c; O = o; P = p; W = w; Lo = lo; Hi = hi;
        }
    }

    /// <summary>y[N, O, H, W] = clamp(conv1×1(x, W) + bias) with <paramref name="w"/> = W packed as [O, C].</summary>
    public static void Forward(in ConvGeometry q, float[] x, int xOff, GemmPackedA w, float[]? bias, int bOff, float[] y, float lo, float hi)
    {
        if (!q.IsPointwise || q.G != 1 || w.M != q.O || w.K != q.C) throw new ArgumentException("PointwiseConvF32 needs an ungrouped 1×1 stride-1 unpadded convolution and matching packed weights.");
        int m = q.O, n = q.N * q.P;
        if (m == 0 || n == 0) return;
        fixed (float* px = x, pa = w.Data, py = y, pb = bias)
        {
            var job = new Job(px + xOff, pa, py, pb == null ? null : pb + bOff, q.C, q.O, q.P, w, lo, hi);
            if (q.C == 0)
            {
                // No input channels: every output is clamp(bias).
                for (int s = 0; s < q.N; s++)
                    for (int o = 0; o < m; o++)
                    {
                        float* row = py + ((long)s * m + o) * q.P;
                        new Span<float>(row, q.P).Clear();
                        Combine(job, null, row, q.P, o, first: false, last: true);
                    }
                return;
            }
            int threads = (long)m * n * q.C < SerialFlops ? 1 : Parallelism.NumThreads;
            if (threads <= 1) Block(job, 0, m, 0, n);
            else if (SplitColumns(m, n, threads))
                Parallelism.For((n + NR - 1) / NR, 1, threads, (s, e) => Block(job, 0, m, s * NR, Math.Min(n, e * NR)));
            else
                Parallelism.For((m + MR - 1) / MR, 1, threads, (s, e) => Block(job, s * MR, Math.Min(m, e * MR), 0, n));
        }
    }

    /// <summary>
    /// Whether the threads split the output's columns (else its rows): the split whose busiest thread
    /// computes fewer outputs, e.g. rows for 64 × 196 (8 row tiles, 4 each) rather than 7 column tiles
    /// (4 vs 3); on a tie, the longer dimension. Results do not depend on it (same tiles, same order).
    /// </summary>
    private static bool SplitColumns(int m, int n, int threads)
    {
        long rowTiles = (m + MR - 1) / MR, colTiles = (n + NR - 1) / NR;
        long byRows = (rowTiles + threads - 1) / threads * MR * (long)n;
        long byCols = (colTiles + threads - 1) / threads * NR * (long)m;
        return byCols != byRows ? byCols < byRows : n >= m;
    }

    /// <summary>Rows [i0, i1) × virtual columns [j0, j1) of the output on the calling thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block(in Job job, int i0, int i1, int j0, int j1)
    {
        float* bufB = Gemm.ThreadBuffers.B;
        float* tmp = stackalloc float[MR * NR];
        float* a = (float*)job.A, y = (float*)job.Y;
        int k = job.C, P = job.P, O = job.O;
        for (int jc = j0; jc < j1; jc += NC)
        {
            int nc = Math.Min(NC, j1 - jc);
            for (int pc = 0; pc < k; pc += KC)
            {
                int kc = Math.Min(KC, k - pc);
                bool first = pc == 0, last = pc + kc >= k;
                PackB(job, pc, kc, jc, nc, bufB);
                for (int ic = i0; ic < i1; ic += MC)
                {
                    int mc = Math.Min(MC, i1 - ic);
                    for (int jr = 0; jr < nc; jr += NR)
                    {
                        int cols = Math.Min(NR, nc - jr), j = jc + jr;
                        int sample = j / P, p = j % P;
                        bool direct = cols == NR && p + NR <= P;
                        float* bs = bufB + jr * kc;
                        for (int ir = 0; ir < mc; ir += MR)
                        {
                            int rows = Math.Min(MR, mc - ir), row0 = ic + ir;
                            float* ap = job.W.Panel(a, pc, kc, row0);
                            if (direct && rows == MR && last && Avx512F.IsSupported)
                            {
                                // Bias and clamp in the micro-kernel's registers: the tile is written once.
                                float* ct = y + ((long)sample * O + row0) * P + p;
                                GemmMicroKernel.TileFinished512(kc, ap, bs, ct, P, !first, job.Bias == 0 ? null : (float*)job.Bias + row0, job.Lo, job.Hi);
                            }
                            else if (direct && rows == MR)
                            {
                                float* ct = y + ((long)sample * O + row0) * P + p;
                                GemmMicroKernel.Tile(kc, ap, bs, ct, P, 1f, first ? 0f : 1f);
                                if (last) Finish(job, ct, P, row0, rows, cols);
                            }
                            else
                            {
                                GemmMicroKernel.Tile(kc, ap, bs, tmp, NR, 1f, 0f);
                                Scatter(job, tmp, row0, rows, j, cols, first, last);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Packs rows [pc, pc + kc) × virtual columns [jc, jc + nc) of B into NR-wide slivers (zero-padded).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackB(in Job job, int pc, int kc, int jc, int nc, float* dst)
    {
        float* x = (float*)job.X;
        int P = job.P, C = job.C;
        for (int jr = 0; jr < nc; jr += NR)
        {
            int cols = Math.Min(NR, nc - jr), j = jc + jr;
            float* sliver = dst + jr * kc;
            int sample = j / P, p0 = j % P;
            if (cols == NR && p0 + NR <= P)
            {
                float* src = x + ((long)sample * C + pc) * P + p0;
                for (int p = 0; p < kc; p++, src += P)
                {
                    Vector512.Store(Vector512.Load(src), sliver + p * NR);
                    Vector512.Store(Vector512.Load(src + 16), sliver + p * NR + 16);
                }
                continue;
            }
            for (int c = 0; c < cols;)
            {
                int s = (j + c) / P, pp = (j + c) % P, len = Math.Min(cols - c, P - pp);
                float* src = x + ((long)s * C + pc) * P + pp;
                for (int p = 0; p < kc; p++)
                {
                    float* d = sliver + p * NR + c;
                    float* sp = src + (long)p * P;
                    for (int t = 0; t < len; t++) d[t] = sp[t];
                }
                c += len;
            }
            if (cols < NR)
                for (int p = 0; p < kc; p++) new Span<float>(sliver + p * NR + cols, NR - cols).Clear();
        }
    }

    /// <summary>Bias and clamp on a finished tile stored in place (row stride <paramref name="ldc"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish(in Job job, float* c, int ldc, int row0, int rows, int cols)
    {
        for (int r = 0; r < rows; r++) Combine(job, null, c + (long)r * ldc, cols, row0 + r, first: false, last: true);
    }

    /// <summary>Writes (first slab) or adds a scratch tile into the output, following the columns across samples.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Scatter(in Job job, float* tmp, int row0, int rows, int j, int cols, bool first, bool last)
    {
        int P = job.P, O = job.O;
        float* y = (float*)job.Y;
        for (int c = 0; c < cols;)
        {
            int s = (j + c) / P, pp = (j + c) % P, len = Math.Min(cols - c, P - pp);
            for (int r = 0; r < rows; r++)
                Combine(job, tmp + r * NR + c, y + ((long)s * O + row0 + r) * P + pp, len, row0 + r, first, last);
            c += len;
        }
    }

    /// <summary>d = (first ? t : d + t), then on the last slab d = clamp(d + bias[row]); t null means t = 0 and not first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Combine(in Job job, float* t, float* d, int len, int row, bool first, bool last)
    {
        float lo = job.Lo, hi = job.Hi;
        bool clampLo = !float.IsNegativeInfinity(lo), clampHi = !float.IsPositiveInfinity(hi);
        float bv = job.Bias != 0 ? ((float*)job.Bias)[row] : 0f;
        var vb = Vector512.Create(bv);
        var vlo = Vector512.Create(lo);
        var vhi = Vector512.Create(hi);
        int i = 0;
        for (; i + 16 <= len; i += 16)
        {
            Vector512<float> v = t == null ? Vector512.Load(d + i) : first ? Vector512.Load(t + i) : Vector512.Load(d + i) + Vector512.Load(t + i);
            if (last)
            {
                v += vb;
                if (clampLo) v = Vector512.Max(v, vlo);
                if (clampHi) v = Vector512.Min(v, vhi);
            }
            Vector512.Store(v, d + i);
        }
        for (; i < len; i++)
        {
            float v = t == null ? d[i] : first ? t[i] : d[i] + t[i];
            if (last)
            {
                v += bv;
                if (clampLo) v = MathF.Max(v, lo);
                if (clampHi) v = MathF.Min(v, hi);
            }
            d[i] = v;
        }
    }
}
