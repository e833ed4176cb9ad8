using MLNetDeep.Tensors.Kernels;

namespace MLNetDeep.Tensors;

public static partial class F
{
    /// <summary>
    /// Layer normalization over the trailing <paramref name="normalizedShape"/> dims (PyTorch's
    /// <c>layer_norm</c>): y = (x − mean)/√(var + eps)·weight + bias, biased variance. A fused
    /// primitive: one SIMD pass per row forward, one backward (rows split across cores).
    /// </summary>
    /// <param name="x">Input [..., *normalizedShape].</param>
    /// <param name="normalizedShape">The trailing shape normalized over.</param>
    /// <param name="weight">Optional scale of shape <paramref name="normalizedShape"/>.</param>
    /// <param name="bias">Optional shift of shape <paramref name="normalizedShape"/>.</param>
    /// <param name="eps">Added to the variance.</param>
    /// <exception cref="ArgumentException">The trailing dims of <paramref name="x"/> or the parameter shapes do not match.</exception>
    public static Tensor LayerNorm(Tensor x, int[] normalizedShape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(normalizedShape);
        x.RequireFloat("LayerNorm");
        int k = normalizedShape.Length;
        if (k == 0 || k > x.Rank || !x.Shape[^k..].SequenceEqual(normalizedShape))
            throw new ArgumentException($"LayerNorm: input {ShapeUtil.Format(x.Dims)} does not end with normalized shape {ShapeUtil.Format(normalizedShape)}.", nameof(x));
        CheckNormParam(weight, normalizedShape, x.DType, nameof(weight));
        CheckNormParam(bias, normalizedShape, x.DType, nameof(bias));
        int d = ShapeUtil.Numel(normalizedShape);
        int rows = d == 0 ? 0 : x.Numel / d;
        var xc = x.Detach().Contiguous();
        var wc = weight?.Detach().Contiguous();
        var bc = bias?.Detach().Contiguous();
        var y = Tensor.Uninitialized(x.Dims, x.DType);
        Array mean, rstd;
        if (x.DType == DType.Float32)
        {
            var m = new float[rows]; var r = new float[rows];
            NormKernels.LayerNormForward(xc.Arr<float>(), xc.Offset, rows, d, wc?.Arr<float>(), wc?.Offset ?? 0, bc?.Arr<float>(), bc?.Offset ?? 0, (float)eps, y.Arr<float>(), m, r);
            mean = m; rstd = r;
        }
        else
        {
            var m = new double[rows]; var r = new double[rows];
            NormKernels.LayerNormForward(xc.Arr<double>(), xc.Offset, rows, d, wc?.Arr<double>(), wc?.Offset ?? 0, bc?.Arr<double>(), bc?.Offset ?? 0, eps, y.Arr<double>(), m, r);
            mean = m; rstd = r;
        }
        var inputs = new List<Tensor> { x };
        if (weight != null) inputs.Add(weight);
        if (bias != null) inputs.Add(bias);
        return Tensor.Record(y, "LayerNorm", [.. inputs], g =>
        {
            var gc = g.Contiguous();
            var dx = x.RequiresGrad ? Tensor.Uninitialized(x.Dims, x.DType) : null;
            var dw = weight != null && weight.RequiresGrad ? Tensor.Uninitialized(normalizedShape, x.DType) : null;
            var db = bias != null && bias.RequiresGrad ? Tensor.Uninitialized(normalizedShape, x.DType) : null;
            if (x.DType == DType.Float32)
                NormKernels.LayerNormBackward(xc.Arr<float>(), xc.Offset, gc.Arr<float>(), gc.Offset, rows, d, wc?.Arr<float>(), wc?.Offset ?? 0,
                    (float[])mean, (float[])rstd, dx?.Arr<float>(), dw?.Arr<float>(), db?.Arr<float>());
            else
                NormKernels.LayerNormBackward(xc.Arr<double>(), xc.Offset, gc.Arr<double>(), gc.Offset, rows, d, wc?.Arr<double>(), wc?.Offset ?? 0,
                    (double[])mean, (double[])rstd, dx?.Arr<double>(), dw?.Arr<double>(), db?.Arr<double>());
            var grads = new List<Tensor?> { dx };
            if (weight != null) grads.Add(dw);
            if (bias != null) grads.Add(db);
            return [.. grads];
        });
    }

    private static void CheckNormParam(Tensor? p, int[] shape, DType dtype, string name)
    {
        if (p is null) return;
        if (!p.Shape.SequenceEqual(shape) || p.DType != dtype)
            throw new ArgumentException($"LayerNorm: {name} {ShapeUtil.Format(p.Dims)} {p.DType} must have shape {ShapeUtil.Format(shape)} and dtype {dtype}.", name);
    }

    /// <summary>
    /// Fused softmax / log-softmax over the last dim of a float tensor: forward and backward are one
    /// SIMD pass per row (max-shifted, so large logits do not overflow).
    /// </summary>
    internal static Tensor SoftmaxLastDim(Tensor x, bool log)
    {
        int d = x.Rank == 0 ? 1 : x.Dims[^1];
        int rows = d == 0 ? 0 : x.Numel / d;
        var xc = x.Detach().Contiguous();
        var y = Tensor.Uninitialized(x.Dims, x.DType);
        if (x.DType == DType.Float32) NormKernels.SoftmaxForward(xc.Arr<float>(), xc.Offset, rows, d, y.Arr<float>(), 0, log);
        else NormKernels.SoftmaxForward(xc.Arr<double>(), xc.Offset, rows, d, y.Arr<double>(), 0, log);
        return Tensor.Record(y, log ? "LogSoftmax" : "Softmax", [x], g =>
        {
            var gc = g.Contiguous();
            var dx = Tensor.Uninitialized(x.Dims, x.DType);
            if (x.DType == DType.Float32) NormKernels.SoftmaxBackward(y.Arr<float>(), 0, gc.Arr<float>(), gc.Offset, rows, d, dx.Arr<float>(), log);
            else NormKernels.SoftmaxBackward(y.Arr<double>(), 0, gc.Arr<double>(), gc.Offset, rows, d, dx.Arr<double>(), log);
            return [dx];
        });
    }
}
