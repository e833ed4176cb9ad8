using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MLNetDeep.Tensors.Kernels;

/// <summary>
/// General matrix multiply on row-major matrices: <c>C = alpha * op(A) * op(B) + beta * C</c>,
/// where op(X) is X or its transpose. op(A) is m×k, op(B) is k×n, C is m×n.
/// With <c>transA</c>, A is stored k×m (row stride lda); likewise for B.
/// </summary>
/// <remarks>
/// Goto/BLIS-style: the k dimension is cut into KC-deep slabs; for each slab a B panel (KC × NC) and A
/// blocks (MC × KC) are packed into contiguous, aligned, zero-padded buffers, and the register-blocked
/// <see cref="GemmMicroKernel"/> sweeps MR×NR tiles over them. Threads take disjoint column (or row)
/// ranges of C, each with its own packing buffers, so no synchronization is needed inside.
/// </remarks>
public static unsafe class Gemm
{
    private const int MR = GemmMicroKernel.MR, NR = GemmMicroKernel.NR;
    internal const int KC = 256, MC = 128, NC = 512;
    private const long SerialFlops = 1L << 18;

    [ThreadStatic] private static PackBuffers? _buffers;

    /// <summary>This thread's packing buffers (also used by <see cref="PointwiseConvF32"/>, never while a GEMM runs on the thread).</summary>
    internal static PackBuffers ThreadBuffers => _buffers ??= new PackBuffers();

    /// <summary>Aligned per-thread packing buffers: A (MC × KC) and B (KC × NC).</summary>
    internal sealed class PackBuffers
    {
        public readonly float* A = (float*)NativeMemory.AlignedAlloc((nuint)(MC * KC * sizeof(float)), 64);
        public readonly float* B = (float*)NativeMemory.AlignedAlloc((nuint)(KC * NC * sizeof(float)), 64);
        ~PackBuffers()
        {
            NativeMemory.AlignedFree(A);
            NativeMemory.AlignedFree(B);
        }
    }

    /// <summary>Single-precision GEMM (blocked, packed, AVX-512 micro-kernel, multi-threaded per <see cref="Parallelism.NumThreads"/>).</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        if (m <= 0 || n <= 0) return;
        if (k <= 0 || alpha == 0)
        {
            ScaleC(m, n, beta, c, ldc);
            return;
        }
        long flops = (long)m * n * k;
        int threads = flops < SerialFlops ? 1 : Parallelism.NumThreads;
        nint pa = (nint)a, pb = (nint)b, pc = (nint)c;
        if (threads <= 1)
        {
            Block(transA, transB, 0, m, 0, n, k, alpha, (float*)pa, lda, (float*)pb, ldb, beta, (float*)pc, ldc);
            return;
        }
        // Split the larger of m and n into tile-aligned ranges, one per thread.
        if (n >= m)
        {
            int tiles = (n + NR - 1) / NR;
            Parallelism.For(tiles, 1, threads, (s, e) =>
                Block(transA, transB, 0, m, s * NR, Math.Min(n, e * NR), k, alpha, (float*)pa, lda, (float*)pb, ldb, beta, (float*)pc, ldc));
        }
        else
        {
            int tiles = (m + MR - 1) / MR;
            Parallelism.For(tiles, 1, threads, (s, e) =>
                Block(transA, transB, s * MR, Math.Min(m, e * MR), 0, n, k, alpha, (float*)pa, lda, (float*)pb, ldb, beta, (float*)pc, ldc));
        }
    }

    /// <summary>Single-precision GEMM on the calling thread only (for kernels that already parallelize over a batch).</summary>
    internal static void SgemmSerial(bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        if (m <= 0 || n <= 0) return;
        if (k <= 0 || alpha == 0)
        {
            ScaleC(m, n, beta, c, ldc);
            return;
        }
        Block(transA, transB, 0, m, 0, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /// <summary>
    /// C = A·B + bias[row], then clamped to [lo, hi] (row-major, no transposes): the epilogue runs on each
    /// tile right after its last k slab, while the tile is still in cache. <paramref name="rowBias"/> may be null.
    /// </summary>
    internal static void SgemmFused(bool serial, int m, int n, int k, float* a, int lda, float* b, int ldb, float* c, int ldc,
        float* rowBias, float lo, float hi)
    {
        if (m <= 0 || n <= 0) return;
        var ep = new Epilogue(rowBias, lo, hi);
        if (k <= 0)
        {
            ScaleC(m, n, 0f, c, ldc);
            for (int i = 0; i < m; i += MR) ep.Apply(c + (long)i * ldc, ldc, i, Math.Min(MR, m - i), n);
            return;
        }
        long flops = (long)m * n * k;
        int threads = serial || flops < SerialFlops ? 1 : Parallelism.NumThreads;
        nint pa = (nint)a, pb = (nint)b, pc = (nint)c;
        if (threads <= 1) { Block(false, false, 0, m, 0, n, k, 1f, a, lda, b, ldb, 0f, c, ldc, ep); return; }
        if (n >= m)
        {
            int tiles = (n + NR - 1) / NR;
            Parallelism.For(tiles, 1, threads, (s, e) =>
                Block(false, false, 0, m, s * NR, Math.Min(n, e * NR), k, 1f, (float*)pa, lda, (float*)pb, ldb, 0f, (float*)pc, ldc, ep));
        }
        else
        {
            int tiles = (m + MR - 1) / MR;
            Parallelism.For(tiles, 1, threads, (s, e) =>
                Block(false, false, s * MR, Math.Min(m, e * MR), 0, n, k, 1f, (float*)pa, lda, (float*)pb, ldb, 0f, (float*)pc, ldc, ep));
        }
    }

    /// <summary>Per-row bias and clamp applied to finished tiles of C.</summary>
    private readonly struct Epilogue(float* rowBias, float lo, float hi)
    {
        private readonly nint _bias = (nint)rowBias;
        private readonly float _lo = lo, _hi = hi;
        private readonly bool _clampLo = !float.IsNegativeInfinity(lo), _clampHi = !float.IsPositiveInfinity(hi);

        /// <summary>False for <c>default</c> (plain GEMM).</summary>
        public bool Active => _bias != 0 || _clampLo || _clampHi;

        /// <summary>c[r, j] = clamp(c[r, j] + bias[row0 + r]) for r &lt; rows, j &lt; cols.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Apply(float* c, int ldc, int row0, int rows, int cols)
        {
            bool clampLo = _clampLo, clampHi = _clampHi;
            var vlo = System.Runtime.Intrinsics.Vector512.Create(_lo);
            var vhi = System.Runtime.Intrinsics.Vector512.Create(_hi);
            for (int r = 0; r < rows; r++)
            {
                float* row = c + (long)r * ldc;
                float bv = _bias != 0 ? ((float*)_bias)[row0 + r] : 0f;
                var vb = System.Runtime.Intrinsics.Vector512.Create(bv);
                int j = 0;
                for (; j + 16 <= cols; j += 16)
                {
                    var v = System.Runtime.Intrinsics.Vector512.Load(row + j) + vb;
                    if (clampLo) v = System.Runtime.Intrinsics.Vector512.Max(v, vlo);
                    if (clampHi) v = System.Runtime.Intrinsics.Vector512.Min(v, vhi);
                    System.Runtime.Intrinsics.Vector512.Store(v, row + j);
                }
                for (; j < cols; j++)
                {
                    float v = row[j] + bv;
                    if (clampLo) v = MathF.Max(v, _lo);
                    if (clampHi) v = MathF.Min(v, _hi);
                    row[j] = v;
                }
            }
        }
    }

    /// <summary>C[i0..i1, j0..j1] on the calling thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block(bool transA, bool transB, int i0, int i1, int j0, int j1, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc, Epilogue ep = default)
    {
        bool epi = ep.Active;
        var buf = ThreadBuffers;
        for (int jc = j0; jc < j1; jc += NC)
        {
            int nc = Math.Min(NC, j1 - jc);
            for (int pc = 0; pc < k; pc += KC)
            {
                int kc = Math.Min(KC, k - pc);
                float betaEff = pc == 0 ? beta : 1f;
                GemmPacking.PackB(transB, b, ldb, pc, kc, jc, nc, buf.B);
                for (int ic = i0; ic < i1; ic += MC)
                {
                    int mc = Math.Min(MC, i1 - ic);
                    GemmPacking.PackA(transA, a, lda, ic, mc, pc, kc, buf.A);
                    for (int jr = 0; jr < nc; jr += NR)
                    {
                        int cols = Math.Min(NR, nc - jr);
                        float* bs = buf.B + jr * kc;
                        for (int ir = 0; ir < mc; ir += MR)
                        {
                            int rows = Math.Min(MR, mc - ir);
                            float* ct = c + (long)(ic + ir) * ldc + jc + jr;
                            float* ap = buf.A + ir * kc;
                            if (rows == MR && cols == NR) GemmMicroKernel.Tile(kc, ap, bs, ct, ldc, alpha, betaEff);
                            else GemmMicroKernel.PartialTile(kc, ap, bs, ct, ldc, rows, cols, alpha, betaEff);
                            if (epi && pc + kc >= k) ep.Apply(ct, ldc, ic + ir, rows, cols);
                        }
                    }
                }
            }
        }
    }

    private static void ScaleC(int m, int n, float beta, float* c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            var row = new Span<float>(c + (long)i * ldc, n);
            if (beta == 0) row.Clear();
            else System.Numerics.Tensors.TensorPrimitives.Multiply(row, beta, row);
        }
    }

    /// <summary>Double-precision GEMM, used for gradient checks (correct and cache-friendly, not tuned).</summary>
    public static void Dgemm(bool transA, bool transB, int m, int n, int k, double alpha,
        double* a, int lda, double* b, int ldb, double beta, double* c, int ldc)
    {
        var acc = new double[n];
        for (int i = 0; i < m; i++)
        {
            Array.Clear(acc);
            for (int p = 0; p < k; p++)
            {
                double av = transA ? a[(long)p * lda + i] : a[(long)i * lda + p];
                if (!transB)
                {
                    double* brow = b + (long)p * ldb;
                    for (int j = 0; j < n; j++) acc[j] += av * brow[j];
                }
                else
                    for (int j = 0; j < n; j++) acc[j] += av * b[(long)j * ldb + p];
            }
            double* crow = c + (long)i * ldc;
            for (int j = 0; j < n; j++) crow[j] = beta == 0 ? alpha * acc[j] : alpha * acc[j] + beta * crow[j];
        }
    }
}
