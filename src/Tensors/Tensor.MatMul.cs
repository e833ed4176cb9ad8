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

    /// <summary>
    /// Fused affine map y = x·Wᵀ + b for x [n, in], W [out, in], b [out] (PyTorch's addmm): the bias is
    /// written into the output and the GEMM accumulates onto it, saving an activation-sized buffer and a pass.
    /// Backward: dx = g·W, dW = gᵀ·x (contiguous, like W), db = Σₙ g.
    /// </summary>
    internal static Tensor Affine(Tensor x, Tensor weight, Tensor? bias)
    {
        x.RequireFloat("Linear");
        if (x.Rank != 2 || weight.Rank != 2 || x.Dims[1] != weight.Dims[1] || x.DType != weight.DType)
            throw new ArgumentException($"Linear: input {ShapeUtil.Format(x.Dims)} {x.DType} does not fit weight {ShapeUtil.Format(weight.Dims)} {weight.DType}.");
        if (bias != null && (bias.Rank != 1 || bias.Dims[0] != weight.Dims[0] || bias.DType != weight.DType))
            throw new ArgumentException($"Linear: bias {ShapeUtil.Format(bias.Dims)} does not fit weight {ShapeUtil.Format(weight.Dims)}.");
        int n = x.Dims[0], outF = weight.Dims[0], inF = weight.Dims[1];
        var y = Uninitialized([n, outF], x.DType);
        if (bias != null) y.CopyFrom(bias.Detach());
        var (xs, transX, ldx) = MatrixLayout(x.Detach());
        var (ws, transW, ldw) = MatrixLayout(weight.Detach().Transpose(0, 1));
        RunGemm(x.DType, transX, transW, n, outF, inF, xs, xs.Offset, ldx, ws, ws.Offset, ldw, y, 0, bias != null ? 1 : 0);
        Tensor[] inputs = bias != null ? [x, weight, bias] : [x, weight];
        return Record(y, "Linear", inputs, g =>
        {
            var dx = x.RequiresGrad ? MatMulCore(g, weight.Detach()) : null;
            var dw = weight.RequiresGrad ? MatMulCore(g.Transpose(0, 1), x.Detach()) : null;
            var db = bias != null && bias.RequiresGrad ? g.Sum(0) : null;
            return bias != null ? [dx, dw, db] : [dx, dw];
        });
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
            RunGemm(a.DType, transA, transB, m, n, k, aSrc, aOff, lda, bSrc, bOff, ldb, y, yOff, 0);
        }
        return Record(y, "MatMul", [a, b], g => [
            a.RequiresGrad ? GradInLayoutOf(a, g, b.Detach().Transpose(-1, -2)) : null,
            b.RequiresGrad ? GradInLayoutOf(b, a.Detach().Transpose(-1, -2), g) : null]);
    }

    /// <summary>
    /// The product x·y as the gradient of <paramref name="input"/>, laid out like the input: when the input
    /// is a transposed view (Wᵀ in a linear layer), (yᵀ·xᵀ)ᵀ is computed instead, so the gradient reaching
    /// the underlying contiguous tensor is contiguous too and needs no copy.
    /// </summary>
    private static Tensor GradInLayoutOf(Tensor input, Tensor x, Tensor y)
    {
        bool transposedInput = input.Rank == 2 && input.Strides[^2] == 1 && input.Strides[^1] != 1;
        var grad = transposedInput
            ? MatMulCore(y.Transpose(-1, -2), x.Transpose(-1, -2)).Transpose(-1, -2)
            : MatMulCore(x, y);
        return grad.SumTo(input.Dims);
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
        Tensor a, int aOff, int lda, Tensor b, int bOff, int ldb, Tensor y, int yOff, int beta)
    {
        if (dtype == DType.Float32)
        {
            fixed (float* pa = a.Arr<float>(), pb = b.Arr<float>(), py = y.Arr<float>())
                Gemm.Sgemm(transA, transB, m, n, k, 1f, pa + aOff, lda, pb + bOff, ldb, beta, py + yOff, n);
        }
        else
        {
            fixed (double* pa = a.Arr<double>(), pb = b.Arr<double>(), py = y.Arr<double>())
                Gemm.Dgemm(transA, transB, m, n, k, 1.0, pa + aOff, lda, pb + bOff, ldb, beta, py + yOff, n);
        }
    }
}
