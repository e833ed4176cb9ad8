using System.Runtime.Intrinsics;

namespace MLNetDeep.Tensors.Kernels;

/// <summary>
/// Integer matrix product for quantized inference: A[M, K] (unsigned 8-bit activations, rows padded to
/// <see cref="PackedInt8Weights.PaddedK"/> bytes) times Wᵀ (signed 8-bit weights packed by <see cref="PackedInt8Weights"/>),
/// accumulated exactly in int32, either returned as is or dequantized to float32 in the tile epilogue. SIMD paths:
/// AVX-512BW, then AVX2 (u8×s8 pair multiply-adds, exact for activations in [0, 127]), then a portable scalar loop.
/// Tiles run on all cores through <see cref="Parallelism"/>.
/// </summary>
public static unsafe class Int8Gemm
{
    /// <summary>C[m, n] = Σₖ A[m, k]·W[n, k] (exact int32), C row-major with row stride <paramref name="ldc"/>.</summary>
    /// <param name="m">Rows of A.</param>
    /// <param name="a">Activations, row r at r·<paramref name="lda"/>, zero past K up to the padded length.</param>
    /// <param name="lda">Row stride of A (≥ PaddedK).</param>
    /// <param name="w">Packed weights.</param>
    /// <param name="c">Output, at least (m−1)·ldc + N ints.</param>
    /// <param name="ldc">Row stride of C (≥ N).</param>
    public static void Multiply(int m, byte[] a, int lda, PackedInt8Weights w, int[] c, int ldc)
    {
        Check(m, a, lda, w);
        Run(m, a, lda, w, new StoreInt32(c, ldc));
    }

    /// <summary>
    /// Dequantizing product: with activations a = (A − zeroPoint) and per-output <paramref name="scales"/> (activation scale ×
    /// weight scale), y = scale[n]·(Σₖ A[m,k]·W[n,k] − zeroPoint·Σₖ W[n,k]) + bias[n], optionally clamped at 0 (fused ReLU).
    /// Row m and output n go to y[(m / P)·N·P + n·P + m % P] with P = <paramref name="rowsPerImage"/>: P = 1 is a plain
    /// row-major [M, N] result, P = OH·OW writes NCHW planes when the rows are the pixels of a batch of images.
    /// With <paramref name="maxOfFourRows"/>, each group of 4 consecutive rows (a 2×2 pooling window) is reduced to its
    /// maximum before the dequantization (exact: scale &gt; 0 makes the dequantization increasing), and output row m / 4
    /// takes the place of m above: M must then be a multiple of 4.
    /// </summary>
    public static void MultiplyDequantize(int m, byte[] a, int lda, PackedInt8Weights w, int zeroPoint, float[] scales, float[]? bias,
        bool relu, int rowsPerImage, float[] y, bool maxOfFourRows = false)
    {
        Check(m, a, lda, w);
        ArgumentOutOfRangeException.ThrowIfLessThan(rowsPerImage, 1);
        if (scales.Length < w.Rows) throw new ArgumentException($"Need {w.Rows} scales, got {scales.Length}.", nameof(scales));
        if (maxOfFourRows && m % Int8GemmMicroKernel.MR != 0) throw new ArgumentException($"Pooling groups of 4 rows need a multiple of 4 rows, got {m}.", nameof(m));
        Run(m, a, lda, w, new Dequantize(w.Rows, rowsPerImage, zeroPoint, w.RowSums, scales, bias, relu, maxOfFourRows, y));
    }

    private static void Check(int m, byte[] a, int lda, PackedInt8Weights w)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(w);
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        if (lda < w.PaddedK) throw new ArgumentException($"Row stride {lda} is shorter than the padded depth {w.PaddedK}.", nameof(lda));
        if (m > 0 && a.Length < (long)(m - 1) * lda + w.PaddedK) throw new ArgumentException($"A holds {a.Length} bytes, too few for {m} rows.", nameof(a));
    }

    /// <summary>A tile's epilogue: the 4×16 int32 sums, first row, valid rows, first output, valid outputs (a struct, so it inlines).</summary>
    private interface ITileEpilogue
    {
        void Apply(int* tile, int m0, int rows, int n0, int cols);
    }

    private readonly struct StoreInt32(int[] c, int ldc) : ITileEpilogue
    {
        public void Apply(int* tile, int m0, int rows, int n0, int cols)
        {
            for (int r = 0; r < rows; r++)
                for (int j = 0; j < cols; j++) c[(m0 + r) * ldc + n0 + j] = tile[r * Int8GemmMicroKernel.NR + j];
        }
    }

    private readonly struct Dequantize(int n, int p, int zeroPoint, int[] sums, float[] scales, float[]? bias, bool relu, bool pool, float[] y)
        : ITileEpilogue
    {
        public void Apply(int* tile, int m0, int rows, int n0, int cols)
        {
            const int NR = Int8GemmMicroKernel.NR;
            if (pool)
            {
                // The 4 rows of a tile are one pooling window (tiles start at multiples of MR = 4 and M is a multiple of 4).
                for (int h = 0; h < NR; h += 8)
                {
                    var m01 = Vector256.Max(Vector256.Load(tile + h), Vector256.Load(tile + NR + h));
                    var m23 = Vector256.Max(Vector256.Load(tile + 2 * NR + h), Vector256.Load(tile + 3 * NR + h));
                    Vector256.Max(m01, m23).Store(tile + h);
                }
                (m0, rows) = (m0 / Int8GemmMicroKernel.MR, 1);
            }
            float* v = stackalloc float[NR];
            for (int r = 0; r < rows; r++)
            {
                int row = m0 + r;
                int baseIdx = row / p * n * p + row % p;
                int* t = tile + r * Int8GemmMicroKernel.NR;
                if (cols == NR)
                    for (int h = 0; h < NR; h += 8)
                    {
                        // The same operations as the scalar loop below (no fused multiply-add), so both give the same bits.
                        var sum = Vector256.Load(t + h) - Vector256.Create(zeroPoint) * Vector256.Create<int>(sums.AsSpan(n0 + h, 8));
                        var x = Vector256.ConvertToSingle(sum) * Vector256.Create<float>(scales.AsSpan(n0 + h, 8));
                        if (bias != null) x += Vector256.Create<float>(bias.AsSpan(n0 + h, 8));
                        if (relu) x = Vector256.Max(x, Vector256<float>.Zero);
                        x.Store(v + h);
                    }
                else
                    for (int j = 0; j < cols; j++)
                    {
                        int o = n0 + j;
                        float x = scales[o] * (t[j] - zeroPoint * sums[o]);
                        if (bias != null) x += bias[o];
                        v[j] = relu && x < 0 ? 0 : x;
                    }
                if (p == 1)
                    new ReadOnlySpan<float>(v, cols).CopyTo(y.AsSpan(baseIdx + n0, cols));
                else
                    for (int j = 0; j < cols; j++) y[baseIdx + (n0 + j) * p] = v[j];
            }
        }
    }

    private static void Run<TEpilogue>(int m, byte[] a, int lda, PackedInt8Weights w, TEpilogue epilogue) where TEpilogue : struct, ITileEpilogue
    {
        const int MR = Int8GemmMicroKernel.MR, NR = Int8GemmMicroKernel.NR;
        int mBlocks = (m + MR - 1) / MR, nBlocks = (w.Rows + NR - 1) / NR, k4 = w.PaddedK / 4;
        long tiles = (long)mBlocks * nBlocks;
        if (tiles == 0) return;
        // Enough tiles per chunk that a chunk does at least ~64k multiply-adds.
        int minChunk = Math.Max(1, 65536 / (MR * NR * Math.Max(4, w.PaddedK)));
        sbyte[] packed = w.Data;
        Parallelism.For((int)tiles, minChunk, (start, end) =>
        {
            int* tile = stackalloc int[MR * NR];
            fixed (byte* pa = a)
            fixed (sbyte* pw = packed)
            {
                for (int t = start; t < end; t++)
                {
                    int mb = t / nBlocks, nb = t % nBlocks;
                    int m0 = mb * MR, rows = Math.Min(MR, m - m0);
                    byte* r0 = pa + (long)m0 * lda;
                    // Rows past the end repeat the last valid row (their sums are never written).
                    byte* r1 = rows > 1 ? r0 + lda : r0, r2 = rows > 2 ? r0 + 2L * lda : r0, r3 = rows > 3 ? r0 + 3L * lda : r0;
                    Int8GemmMicroKernel.Tile(k4, r0, r1, r2, r3, pw + (long)nb * w.PaddedK * NR, tile);
                    int n0 = nb * NR;
                    epilogue.Apply(tile, m0, rows, n0, Math.Min(NR, w.Rows - n0));
                }
            }
        });
    }
}
