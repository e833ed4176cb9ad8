namespace MLNetDeep.Tensors.Kernels;

/// <summary>
/// Float32 forward of an inverted-residual block's first half, a first stage (a 1×1 expansion, or a
/// network's stem: any <see cref="IBandRows"/>) followed by a 3×3 depthwise convolution (each with bias
/// and clamp), without writing the first stage's output: per sample (or per half sample when there are
/// more threads than samples), output rows are produced in bands whose first-stage rows fit in L2; each
/// band computes only the rows the previous band has not (<see cref="GemmPackedStrided"/> for the
/// expansion), keeps the overlap, and runs <see cref="Depthwise3x3F32.Band"/> on them. With a projection (the block's second 1×1 convolution), the depthwise rows of a band go to a
/// second scratch band and are projected from there, so the depthwise output is not written either.
/// The results equal the separate kernels bit for bit.
/// </summary>
internal static unsafe class PointwiseDepthwiseF32
{
    private const int BandBytes = 384 * 1024;

    /// <summary>
    /// y[N, Ch, OH, OW] = clamp(dw3×3(clamp(conv1×1(x, expand) + eb, lo1, hi1), dw) + db, lo2, hi2);
    /// <paramref name="dw"/> describes the depthwise convolution (its C = O = G = Ch, H and W those of x).
    /// </summary>
    /// <remarks>
    /// With <paramref name="project"/> ([Cout, Ch] packed), y is [N, Cout, OH, OW] = clamp(conv1×1(that, project) + pb, lo3, hi3).
    /// </remarks>
    public static void Forward(in ConvGeometry dw, float[] x, int xOff, int cin, GemmPackedA expand, float[]? eb, int ebOff, float lo1, float hi1,
        float[] wd, int wdOff, float[]? db, int dbOff, float lo2, float hi2, float[] y,
        GemmPackedA? project = null, float[]? pb = null, int pbOff = 0, float lo3 = float.NegativeInfinity, float hi3 = float.PositiveInfinity)
    {
        if (expand.M != dw.C || expand.K != cin) throw new ArgumentException("PointwiseDepthwiseF32: the expansion weights must be [Ch, Cin].");
        Forward(dw, new ExpandRows(x, xOff, cin, dw.H, dw.W, expand, eb, ebOff, lo1, hi1), wd, wdOff, db, dbOff, lo2, hi2, y, project, pb, pbOff, lo3, hi3);
    }

    /// <summary>
    /// The same chain whose first stage is any <see cref="IBandRows"/> (the 1×1 expansion, or a network's
    /// stem convolution, <see cref="StemConvF32.BandRows"/>): it produces the depthwise input's rows.
    /// </summary>
    public static void Forward(in ConvGeometry dw, IBandRows first, float[] wd, int wdOff, float[]? db, int dbOff, float lo2, float hi2, float[] y,
        GemmPackedA? project = null, float[]? pb = null, int pbOff = 0, float lo3 = float.NegativeInfinity, float hi3 = float.PositiveInfinity)
    {
        if (project != null && project.K != dw.C) throw new ArgumentException("PointwiseDepthwiseF32: the projection weights must be [Cout, Ch].");
        if (!Depthwise3x3F32.Handles(dw)) throw new ArgumentException("PointwiseDepthwiseF32 needs a 3×3 depthwise geometry Depthwise3x3F32 handles.");
        var g = dw;
        int ch = dw.C, s = dw.SH;
        int rowsCap = Math.Max(3 + s, BandBytes / Math.Max(1, ch * dw.W * sizeof(float)));
        int band = Math.Max(1, (rowsCap - 3) / s + 1); // output rows per band: (band - 1)·s + 3 input rows
        rowsCap = Math.Min((band - 1) * s + 3, dw.H);
        int parts = Math.Max(1, Math.Min(dw.OH, (Parallelism.NumThreads + dw.N - 1) / dw.N));
        var masks = Depthwise3x3F32.Masks(dw);
        int cout = project?.M ?? ch;
        Parallelism.For(dw.N * parts, 1, (u0, u1) =>
        {
            float[] e = BufferPool.Rent<float>(ch * rowsCap * g.W);
            float[]? dBand = project == null ? null : BufferPool.Rent<float>(ch * band * g.OW);
            fixed (float* pwd = wd, pdb = db, py = y, pe = e, pd = dBand, pp = project?.Data, ppb = pb)
            fixed (System.Runtime.Intrinsics.Vector512<float>* pm = masks)
            {
                long band1 = (long)rowsCap * g.W;
                for (int u = u0; u < u1; u++)
                {
                    int n = u / parts, part = u % parts;
                    int ohA = (int)((long)g.OH * part / parts), ohB = (int)((long)g.OH * (part + 1) / parts);
                    int eLo = 0, eHi = 0; // input rows held in e: [eLo, eHi), row r at e + (r - eLo)·W per channel
                    for (int o0 = ohA; o0 < ohB; o0 += band)
                    {
                        int o1 = Math.Min(ohB, o0 + band);
                        int nLo = Math.Max(0, o0 * s - g.PT), nHi = Math.Min(g.H, (o1 - 1) * s - g.PT + 3);
                        int keep = eHi > nLo && eLo <= nLo ? eHi - nLo : 0;
                        if (keep > 0 && nLo > eLo)
                            for (int c = 0; c < ch; c++)
                                Buffer.MemoryCopy(pe + c * band1 + (long)(nLo - eLo) * g.W, pe + c * band1, keep * g.W * 4L, keep * g.W * 4L);
                        int from = nLo + keep;
                        if (from < nHi) first.Rows(n, from, nHi, pe + (long)keep * g.W, band1);
                        eLo = nLo;
                        eHi = nHi;
                        long dStride = (long)band * g.OW;
                        for (int c = 0; c < ch; c++)
                        {
                            // Without a projection the depthwise rows go straight to y; with one, to the band buffer (row o0 first).
                            float* dst = pd == null ? py + ((long)n * ch + c) * g.P : pd + c * dStride - (long)o0 * g.OW;
                            Depthwise3x3F32.Band(g, pe + c * band1 - (long)nLo * g.W, nLo, nHi, o0, o1, pwd + wdOff + c * 9,
                                pdb == null ? 0f : pdb[dbOff + c], lo2, hi2, pm, dst);
                        }
                        if (pd != null)
                            GemmPackedStrided.Multiply(project!, pp, pd, dStride, (o1 - o0) * g.OW, py + (long)n * cout * g.P + (long)o0 * g.OW, g.P,
                                ppb == null ? null : ppb + pbOff, lo3, hi3);
                    }
                }
            }
            BufferPool.Return(e);
            if (dBand != null) BufferPool.Return(dBand);
        });
    }

    /// <summary>Rows [from, to) of the expanded input of sample n: the 1×1 expansion of x's rows (GEMM with packed weights).</summary>
    private sealed class ExpandRows(float[] x, int xOff, int cin, int h, int w, GemmPackedA expand, float[]? bias, int bOff, float lo, float hi) : IBandRows
    {
        public void Rows(int n, int from, int to, float* dst, long plane)
        {
            long xPlane = (long)h * w;
            fixed (float* px = x, pa = expand.Data, pb = bias)
                GemmPackedStrided.Multiply(expand, pa, px + xOff + (long)n * cin * xPlane + (long)from * w, xPlane, (to - from) * w,
                    dst, plane, pb == null ? null : pb + bOff, lo, hi);
        }
    }
}

/// <summary>The first stage of <see cref="PointwiseDepthwiseF32"/>: produces rows of the depthwise convolution's input.</summary>
internal unsafe interface IBandRows
{
    /// <summary>Rows [from, to) of sample n's depthwise input, all channels; row from of channel c goes to dst + c·plane, rows follow at the input's width.</summary>
    void Rows(int n, int from, int to, float* dst, long plane);
}
