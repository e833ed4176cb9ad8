using MLNetDeep.Tensors.Kernels;

namespace MLNetDeep.Tensors;

/// <summary>Matrix multiplication (a primitive backed by the blocked GEMM kernel).</summary>
public sealed partial class Tensor
{
    /// <summary>
    /// Matrix product with PyTorch's <c>matmul</c> semantics: 1-D operands are promoted (and the added
    /// dimension removed), leading batch dimensions broadcast. Transposed views are multiplied without copying.
    /// </summary>
    public Tensor MatMul(Tensor other)
    {
        RequireFloat("MatMul");
        other.RequireFloat("MatMul");
        if (DType != other.DType) throw new InvalidOperationException($"MatMul: dtype mismatch {DType} vs {other.DType}.");
        if (Rank == 0 || other.Rank == 0) throw new ArgumentException("MatMul needs operands of rank >= 1.");
        var a = Rank == 1 ? Unsqueeze(0) : this;
        var b = other.Rank == 1 ? other.Unsqueeze(1) : other;
        var y = MatMulCore(a, b);
        if (Rank == 1) y = y.Squeeze(-2);
        if (other.Rank == 1) y = y.Squeeze(-1);
        return y;
    }

    /// <summary>Batched matrix product of [b, m, k] and [b, k, n] tensors.</summary>
    public Tensor Bmm(Tensor other)
    {
        if (Rank != 3 || other.Rank != 3 || Dims[0] != other.Dims[0])
            throw new ArgumentException($"Bmm needs [b,m,k]·[b,k,n], got {ShapeUtil.Format(Dims)}·{ShapeUtil.Format(other.Dims)}.");
        return MatMul(other);
    }

    private static Tensor MatMulCore(Tensor a, Tensor b)
    {
        int m = a.Dims[^2], k = a.Dims[^1], k2 = b.Dims[^2], n = b.Dims[^1];
        if (k != k2) throw new ArgumentException($"MatMul: shapes {ShapeUtil.Format(a.Dims)} and {ShapeUtil.Format(b.Dims)} do not align ({k} vs {k2}).");
        var batch = ShapeUtil.Broadcast(a.Dims[..^2], b.Dims[..^2]);
        var ae = a.Detach().ExpandView([.. batch, m, k]);
        var be = b.Detach().ExpandView([.. batch, k, n]);
        var (aSrc, transA, lda) = MatrixLayout(ae);
        var (bSrc, transB, ldb) = MatrixLayout(be);
        var y = Uninitialized([.. batch, m, n], a.DType);
        int batchCount = ShapeUtil.Numel(batch);
        for (int bi = 0; bi < batchCount; bi++)
        {
            int aOff = aSrc.Offset + BatchOffset(aSrc, bi), bOff = bSrc.Offset + BatchOffset(bSrc, bi), yOff = bi * m * n;
            RunGemm(a.DType, transA, transB, m, n, k, aSrc, aOff, lda, bSrc, bOff, ldb, y, yOff);
        }
        return Record(y, "MatMul", [a, b], g => [
            a.RequiresGrad ? MatMulCore(g, b.Detach().Transpose(-1, -2)).SumTo(a.Dims) : null,
            b.RequiresGrad ? MatMulCore(a.Detach().Transpose(-1, -2), g).SumTo(b.Dims) : null]);
    }

    /// <summary>How the last two dims can be fed to GEMM: as stored, transposed, or after a copy.</summary>
    private static (Tensor Src, bool Trans, int Ld) MatrixLayout(Tensor t)
    {
        int rows = t.Dims[^2], cols = t.Dims[^1];
        int rs = t.Strides[^2], cs = t.Strides[^1];
        if ((cs == 1 || cols == 1) && (rs >= cols || rows == 1)) return (t, false, rows == 1 ? Math.Max(cols, 1) : rs);
        if ((rs == 1 || rows == 1) && (cs >= rows || cols == 1)) return (t, true, cols == 1 ? Math.Max(rows, 1) : cs);
        var c = t.Contiguous();
        return (c, false, Math.Max(cols, 1));
    }

    private static int BatchOffset(Tensor t, int batchIndex)
    {
        int off = 0;
        for (int d = t.Rank - 3; d >= 0; d--)
        {
            int idx = batchIndex % t.Dims[d];
            batchIndex /= t.Dims[d];
            off += idx * t.Strides[d];
        }
        return off;
    }

    private static unsafe void RunGemm(DType dtype, bool transA, bool transB, int m, int n, int k,
        Tensor a, int aOff, int lda, Tensor b, int bOff, int ldb, Tensor y, int yOff)
    {
        if (dtype == DType.Float32)
        {
            fixed (float* pa = a.Arr<float>(), pb = b.Arr<float>(), py = y.Arr<float>())
                Gemm.Sgemm(transA, transB, m, n, k, 1f, pa + aOff, lda, pb + bOff, ldb, 0f, py + yOff, n);
        }
        else
        {
            fixed (double* pa = a.Arr<double>(), pb = b.Arr<double>(), py = y.Arr<double>())
                Gemm.Dgemm(transA, transB, m, n, k, 1.0, pa + aOff, lda, pb + bOff, ldb, 0.0, py + yOff, n);
        }
    }
}
