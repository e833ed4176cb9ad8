using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace MLNetDeep.Tensors.Kernels;

/// <summary>
/// 2-D convolution kernels on dense NCHW arrays. General convolutions unfold each sample (im2col) and
/// multiply with the blocked GEMM; 1×1 stride-1 convolutions go to GEMM directly; depthwise ones use
/// <see cref="DepthwiseConv"/>. With at least as many samples as threads, samples are spread over the
/// threads (each running serial GEMMs with its own scratch); otherwise each GEMM is multi-threaded.
/// The same three kernels serve the transposed convolution (its forward is the input gradient computed by <see cref="Backward"/>).
/// </summary>
internal static class ConvKernels
{
    /// <summary>
    /// y[N, O, OH, OW] = conv(x, w) (+ bias per output channel), clamped to [lo, hi]. The AVX-512 float32 path
    /// fuses the clamp into its epilogues; the portable path applies it in one pass after the convolution.
    /// </summary>
    /// <remarks><paramref name="packedW"/> (float32 only) caches the packed weights of a constant ungrouped weight.</remarks>
    public static void Forward<T>(in ConvGeometry q, T[] x, int xOff, T[] w, int wOff, T[]? bias, int bOff, T[] y,
        float lo = float.NegativeInfinity, float hi = float.PositiveInfinity, PackedWeightCache? packedW = null)
        where T : unmanaged, INumber<T>
    {
        if (typeof(T) == typeof(float) && System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
        {
            ForwardF32(q, Unsafe.As<float[]>(x), xOff, Unsafe.As<float[]>(w), wOff, Unsafe.As<float[]?>(bias), bOff, Unsafe.As<float[]>(y), lo, hi, packedW);
            return;
        }
        ForwardUnfused(q, x, xOff, w, wOff, bias, bOff, y);
        if (!float.IsNegativeInfinity(lo) || !float.IsPositiveInfinity(hi))
        {
            var span = y.AsSpan(0, q.N * q.O * q.P);
            if (!float.IsNegativeInfinity(lo)) TensorPrimitives.Max(span, T.CreateTruncating(lo), span);
            if (!float.IsPositiveInfinity(hi)) TensorPrimitives.Min(span, T.CreateTruncating(hi), span);
        }
    }

    /// <summary>The portable forward (any element type, no fused epilogue): bias fill, then GEMM accumulation.</summary>
    private static void ForwardUnfused<T>(in ConvGeometry q, T[] x, int xOff, T[] w, int wOff, T[]? bias, int bOff, T[] y)
        where T : unmanaged, INumber<T>
    {
        if (q.IsDepthwise)
        {
            DepthwiseConv.Forward(q, x, xOff, w, wOff, bias, bOff, y);
            return;
        }
        var g = q;
        bool perSample = q.N >= Parallelism.NumThreads && Parallelism.NumThreads > 1;
        void Samples(int s, int e, bool serialGemm)
        {
            T[]? col = g.IsPointwise ? null : BufferPool.Rent<T>(g.K * g.P);
            for (int n = s; n < e; n++)
            {
                int yBase = n * g.O * g.P;
                if (bias != null)
                    for (int o = 0; o < g.O; o++) y.AsSpan(yBase + o * g.P, g.P).Fill(bias[bOff + o]);
                for (int gi = 0; gi < g.G; gi++)
                {
                    int xPlane = xOff + (n * g.C + gi * g.Cg) * g.H * g.W;
                    T[] bArr = x; int bStart = xPlane;
                    if (col != null) { Im2Col.Unfold(g, x, xPlane, col); bArr = col; bStart = 0; }
                    Gemm(serialGemm, false, false, g.Og, g.P, g.K, w, wOff + gi * g.Og * g.K, g.K, bArr, bStart, g.P,
                        y, yBase + gi * g.Og * g.P, g.P, bias != null);
                }
            }
            if (col != null) BufferPool.Return(col);
        }
        if (perSample) Parallelism.For(q.N, 1, (s, e) => Samples(s, e, true));
        else Samples(0, q.N, false);
    }

    /// <summary>Tests only: run 3×3 stride-2 stems through im2col and the GEMM instead of <see cref="StemConvF32"/>.</summary>
    internal static bool ForceIm2Col { get; set; }

    /// <summary>
    /// Float32 forward with the bias and an optional clamp to [lo, hi] fused into the kernels' epilogues
    /// (GEMM tiles, depthwise rows), so the output is written once.
    /// </summary>
    private static unsafe void ForwardF32(in ConvGeometry q, float[] x, int xOff, float[] w, int wOff, float[]? bias, int bOff, float[] y, float lo, float hi,
        PackedWeightCache? packedW)
    {
        if (q.IsDepthwise) { DepthwiseConvF32.Forward(q, x, xOff, w, wOff, bias, bOff, y, lo, hi); return; }
        if (q.IsPointwise && q.G == 1)
        {
            // One GEMM over the whole batch with packed weights (cached for constants, else packed once per call).
            GemmPackedA packed;
            if (packedW != null) packed = packedW.Get(w, wOff, q.O, q.C);
            else fixed (float* pw = w) packed = GemmPackedA.Pack(pw + wOff, q.C, q.O, q.C, pooled: true);
            PointwiseConvF32.Forward(q, x, xOff, packed, bias, bOff, y, lo, hi);
            if (packedW == null) packed.Release();
            return;
        }
        if (StemConvF32.Handles(q) && !ForceIm2Col) { StemConvF32.Forward(q, x, xOff, w, wOff, bias, bOff, y, lo, hi); return; }
        var g = q;
        bool perSample = q.N >= Parallelism.NumThreads && Parallelism.NumThreads > 1;
        void Samples(int s, int e, bool serialGemm)
        {
            float[]? col = g.IsPointwise ? null : BufferPool.Rent<float>(g.K * g.P);
            fixed (float* px = x, pw = w, py = y, pb = bias, pcol = col)
            {
                for (int n = s; n < e; n++)
                {
                    int yBase = n * g.O * g.P;
                    for (int gi = 0; gi < g.G; gi++)
                    {
                        int xPlane = xOff + (n * g.C + gi * g.Cg) * g.H * g.W;
                        float* bp = px + xPlane;
                        if (col != null)
                        {
                            // One sample on all threads (batch 1): the threads share the unfold too, row by row.
                            if (serialGemm) Im2Col.Unfold(g, x, xPlane, col);
                            else Parallelism.For(g.K, 1, (r0, r1) => Im2Col.UnfoldRows(g, x, xPlane, col, r0, r1));
                            bp = pcol;
                        }
                        Kernels.Gemm.SgemmFused(serialGemm, g.Og, g.P, g.K, pw + wOff + gi * g.Og * g.K, g.K, bp, g.P,
                            py + yBase + gi * g.Og * g.P, g.P, pb == null ? null : pb + bOff + gi * g.Og, lo, hi);
                    }
                }
            }
            if (col != null) BufferPool.Return(col);
        }
        if (perSample) Parallelism.For(q.N, 1, (s, e) => Samples(s, e, true));
        else Samples(0, q.N, false);
    }

    /// <summary>
    /// Input gradient dx[N, C, H, W] (overwritten) from dy[N, O, OH, OW]; and/or the weight gradient
    /// dw[O, Cg, KH, KW] (overwritten). Either output may be null.
    /// </summary>
    public static void Backward<T>(in ConvGeometry q, T[] dy, int dyOff, T[] x, int xOff, T[] w, int wOff, T[]? dx, T[]? dw)
        where T : unmanaged, INumber<T>
    {
        if (q.IsDepthwise)
        {
            if (dx != null) DepthwiseConv.BackwardData(q, dy, dyOff, w, wOff, dx);
            if (dw != null) DepthwiseConv.BackwardWeight(q, dy, dyOff, x, xOff, dw);
            return;
        }
        var g = q;
        bool perSample = q.N >= Parallelism.NumThreads && Parallelism.NumThreads > 1;
        var gate = new object();
        if (dw != null) Array.Clear(dw, 0, q.O * q.K);
        void Samples(int s, int e, bool serialGemm)
        {
            T[]? col = g.IsPointwise ? null : BufferPool.Rent<T>(g.K * g.P);
            T[]? dwPart = dw == null ? null : serialGemm ? new T[g.O * g.K] : dw;
            for (int n = s; n < e; n++)
            {
                for (int gi = 0; gi < g.G; gi++)
                {
                    int xPlane = (n * g.C + gi * g.Cg) * g.H * g.W;
                    int dyPlane = dyOff + (n * g.O + gi * g.Og) * g.P;
                    int wg = wOff + gi * g.Og * g.K;
                    if (dwPart != null)
                    {
                        T[] bArr = x; int bStart = xOff + xPlane;
                        if (col != null) { Im2Col.Unfold(g, x, xOff + xPlane, col); bArr = col; bStart = 0; }
                        // dW_g[Og, K] += dy_g[Og, P] · colᵀ
                        Gemm(serialGemm, false, true, g.Og, g.K, g.P, dy, dyPlane, g.P, bArr, bStart, g.P, dwPart, gi * g.Og * g.K, g.K, true);
                    }
                    if (dx != null)
                    {
                        // dcol[K, P] = W_gᵀ · dy_g, folded back into dx
                        if (col == null) Gemm(serialGemm, true, false, g.K, g.P, g.Og, w, wg, g.K, dy, dyPlane, g.P, dx, xPlane, g.P, false);
                        else
                        {
                            Gemm(serialGemm, true, false, g.K, g.P, g.Og, w, wg, g.K, dy, dyPlane, g.P, col, 0, g.P, false);
                            dx.AsSpan(xPlane, g.Cg * g.H * g.W).Clear();
                            Im2Col.Fold(g, col, dx, xPlane);
                        }
                    }
                }
            }
            if (col != null) BufferPool.Return(col);
            if (dwPart != null && !ReferenceEquals(dwPart, dw))
                lock (gate)
                    for (int i = 0; i < dwPart.Length; i++) dw![i] += dwPart[i];
        }
        if (perSample) Parallelism.For(q.N, 1, (s, e) => Samples(s, e, true));
        else Samples(0, q.N, false);
    }

    /// <summary>Σ over n, h, w of dy[N, O, P] per channel: the bias gradient.</summary>
    public static void BiasGrad<T>(T[] dy, int dyOff, int n, int channels, int plane, T[] db) where T : unmanaged, INumber<T>
    {
        for (int c = 0; c < channels; c++)
        {
            T acc = T.Zero;
            for (int i = 0; i < n; i++) acc += System.Numerics.Tensors.TensorPrimitives.Sum<T>(dy.AsSpan(dyOff + (i * channels + c) * plane, plane));
            db[c] = acc;
        }
    }

    /// <summary>C = op(A)·op(B) (+ C when <paramref name="accumulate"/>) on row-major arrays, float32 or float64.</summary>
    public static unsafe void Gemm<T>(bool serial, bool transA, bool transB, int m, int n, int k,
        T[] a, int aOff, int lda, T[] b, int bOff, int ldb, T[] c, int cOff, int ldc, bool accumulate) where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            fixed (float* pa = Unsafe.As<float[]>(a), pb = Unsafe.As<float[]>(b), pc = Unsafe.As<float[]>(c))
            {
                if (serial) Kernels.Gemm.SgemmSerial(transA, transB, m, n, k, 1f, pa + aOff, lda, pb + bOff, ldb, accumulate ? 1f : 0f, pc + cOff, ldc);
                else Kernels.Gemm.Sgemm(transA, transB, m, n, k, 1f, pa + aOff, lda, pb + bOff, ldb, accumulate ? 1f : 0f, pc + cOff, ldc);
            }
        }
        else
        {
            fixed (double* pa = Unsafe.As<double[]>(a), pb = Unsafe.As<double[]>(b), pc = Unsafe.As<double[]>(c))
                Kernels.Gemm.Dgemm(transA, transB, m, n, k, 1.0, pa + aOff, lda, pb + bOff, ldb, accumulate ? 1.0 : 0.0, pc + cOff, ldc);
        }
    }
}
