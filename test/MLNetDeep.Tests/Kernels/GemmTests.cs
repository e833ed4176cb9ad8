using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Kernels;
using NUnit.Framework;

namespace MLNetDeep.Tests.Kernels;

/// <summary>The blocked GEMM against a double-accumulated reference: every transpose combination, ragged edges, strides, alpha/beta, thread counts.</summary>
public unsafe class GemmTests
{
    private static float[] Random(int n, int seed)
    {
        var g = new Generator((ulong)seed);
        var r = new float[n];
        for (int i = 0; i < n; i++) r[i] = (float)(g.NextDouble() * 2 - 1);
        return r;
    }

    public static IEnumerable<TestCaseData> Shapes()
    {
        int[][] shapes = [[1, 1, 1], [2, 3, 7], [7, 17, 31], [8, 32, 256], [33, 65, 129], [129, 31, 600], [257, 70, 33], [65, 257, 300], [300, 300, 257]];
        foreach (var s in shapes)
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    yield return new TestCaseData(s[0], s[1], s[2], ta, tb).SetName($"Sgemm_{s[0]}x{s[1]}x{s[2]}_{(ta ? "T" : "N")}{(tb ? "T" : "N")}");
    }

    [TestCaseSource(nameof(Shapes))]
    public void SgemmMatchesReference(int m, int n, int k, bool transA, bool transB)
    {
        int pad = 3;
        int lda = (transA ? m : k) + pad, ldb = (transB ? k : n) + pad, ldc = n + pad;
        var a = Random((transA ? k : m) * lda, 1);
        var b = Random((transB ? n : k) * ldb, 2);
        foreach (int threads in new[] { 1, 2 })
            foreach (var (alpha, beta) in new[] { (1f, 0f), (0.5f, 1f), (-2f, 0.25f) })
            {
                var c0 = Random(m * ldc, 3);
                var c = (float[])c0.Clone();
                if (beta == 0) Array.Fill(c, float.NaN); // beta = 0 must not read C
                int saved = Parallelism.NumThreads;
                Parallelism.NumThreads = threads;
                try
                {
                    fixed (float* pa = a, pb = b, pc = c)
                        Gemm.Sgemm(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
                }
                finally { Parallelism.NumThreads = saved; }
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++)
                    {
                        double s = 0, mag = 0;
                        for (int p = 0; p < k; p++)
                        {
                            double x = transA ? a[p * lda + i] : a[i * lda + p];
                            double y = transB ? b[j * ldb + p] : b[p * ldb + j];
                            s += x * y;
                            mag += Math.Abs(x * y);
                        }
                        double expected = alpha * s + (beta == 0 ? 0 : beta * c0[i * ldc + j]);
                        double tol = 1e-5 * (Math.Abs(alpha) * mag + Math.Abs(beta) + 1);
                        Assert.That(c[i * ldc + j], Is.EqualTo(expected).Within(tol), $"C[{i},{j}] threads={threads} alpha={alpha} beta={beta}");
                    }
                // Padding columns of C are untouched.
                if (beta != 0)
                    for (int i = 0; i < m; i++)
                        for (int j = n; j < ldc; j++) Assert.That(c[i * ldc + j], Is.EqualTo(c0[i * ldc + j]));
            }
    }

    [Test]
    public void KZeroScalesC()
    {
        var c = new float[] { 1, 2, 3, 4 };
        fixed (float* pc = c) Gemm.Sgemm(false, false, 2, 2, 0, 1f, null, 1, null, 2, 0.5f, pc, 2);
        Assert.That(c, Is.EqualTo(new[] { 0.5f, 1f, 1.5f, 2f }));
    }

    [Test]
    public void DgemmMatchesReferenceForAllTransposes()
    {
        var g = new Generator(9);
        int m = 13, n = 9, k = 11;
        var a = new double[m * k];
        var b = new double[k * n];
        for (int i = 0; i < a.Length; i++) a[i] = g.NextNormal();
        for (int i = 0; i < b.Length; i++) b[i] = g.NextNormal();
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
            {
                // Store the operands so that op(A) = A (m×k), op(B) = B (k×n).
                var sa = ta ? Transpose(a, m, k) : a;
                var sb = tb ? Transpose(b, k, n) : b;
                var c = new double[m * n];
                fixed (double* pa = sa, pb = sb, pc = c)
                    Gemm.Dgemm(ta, tb, m, n, k, 1.0, pa, ta ? m : k, pb, tb ? k : n, 0.0, pc, n);
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++)
                    {
                        double s = 0;
                        for (int p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
                        Assert.That(c[i * n + j], Is.EqualTo(s).Within(1e-12));
                    }
            }
    }

    private static double[] Transpose(double[] x, int rows, int cols)
    {
        var t = new double[x.Length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) t[j * rows + i] = x[i * cols + j];
        return t;
    }
}
