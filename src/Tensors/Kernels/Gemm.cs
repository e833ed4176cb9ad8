namespace MLNetDeep.Tensors.Kernels;

/// <summary>
/// General matrix multiply on row-major matrices: <c>C = alpha * op(A) * op(B) + beta * C</c>,
/// where op(X) is X or its transpose. op(A) is m×k, op(B) is k×n, C is m×n.
/// With <c>transA</c>, A is stored k×m (row stride lda); likewise for B.
/// </summary>
public static unsafe class Gemm
{
    /// <summary>Single-precision GEMM (reference implementation; replaced by the blocked kernel).</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float s = 0;
                for (int p = 0; p < k; p++)
                    s += (transA ? a[p * lda + i] : a[i * lda + p]) * (transB ? b[j * ldb + p] : b[p * ldb + j]);
                c[i * ldc + j] = beta == 0 ? alpha * s : alpha * s + beta * c[i * ldc + j];
            }
    }

    /// <summary>Double-precision GEMM, used for gradient checks (correct, not tuned).</summary>
    public static void Dgemm(bool transA, bool transB, int m, int n, int k, double alpha,
        double* a, int lda, double* b, int ldb, double beta, double* c, int ldc)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                    s += (transA ? a[p * lda + i] : a[i * lda + p]) * (transB ? b[j * ldb + p] : b[p * ldb + j]);
                c[i * ldc + j] = beta == 0 ? alpha * s : alpha * s + beta * c[i * ldc + j];
            }
    }
}
