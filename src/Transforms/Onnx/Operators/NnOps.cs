using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Kernels;

namespace MLNetDeep.Onnx.Operators;

/// <summary>Matrix products, normalizations, softmax and reductions.</summary>
internal static class NnOps
{
    public static void Register(Dictionary<string, Func<OnnxNode, OnnxKernel>> r)
    {
        r["Softmax"] = n => SoftmaxLike(n, F.Softmax);
        r["LogSoftmax"] = n => SoftmaxLike(n, F.LogSoftmax);
        r["MatMul"] = n => ins =>
        {
            var a = ins.In(0, n);
            var b = ins.In(1, n);
            if (!a.IsFloat || a.ElementType != b.ElementType) throw n.RunError($"MatMul needs two float inputs of one type, got {a.ElementType} and {b.ElementType}.");
            var x = a.Tensor.Rank == 1 ? a.Tensor.Unsqueeze(0) : a.Tensor;
            var y = b.Tensor.Rank == 1 ? b.Tensor.Unsqueeze(1) : b.Tensor;
            if (x.Rank == 0 || y.Rank == 0) throw n.RunError("MatMul inputs must have rank ≥ 1.");
            if (x.Size(-1) != y.Size(-2)) throw n.RunError($"inner dims differ: {a} × {b}.");
            var z = x.MatMul(y);
            if (b.Tensor.Rank == 1) z = z.Squeeze(-1);
            if (a.Tensor.Rank == 1) z = z.Squeeze(z.Rank - (b.Tensor.Rank == 1 ? 1 : 2));
            return [new OnnxValue(z, a.ElementType)];
        };
        r["Gemm"] = Gemm;
        r["GlobalAveragePool"] = n => ins =>
        {
            var x = ins.In(0, n);
            if (!x.IsFloat || x.Tensor.Rank < 3) throw n.RunError($"needs a float input of rank ≥ 3, got {x}.");
            return [new OnnxValue(x.Tensor.Mean(Enumerable.Range(2, x.Tensor.Rank - 2).ToArray(), keepDim: true), x.ElementType)];
        };
        r["BatchNormalization"] = BatchNorm;
        r["LayerNormalization"] = LayerNorm;
        r["ReduceSum"] = n => Reduce(n, (t, axes, keep) => t.Sum(axes, keep));
        r["ReduceMean"] = n => Reduce(n, (t, axes, keep) => t.Mean(axes, keep));
        r["ReduceMax"] = n => Reduce(n, (t, axes, keep) => t.Max(axes, keep));
        r["ArgMax"] = ArgMax;
    }

    private static OnnxKernel SoftmaxLike(OnnxNode n, Func<Tensor, int, Tensor> f)
    {
        long axis = n.Int("axis", n.Opset >= 13 ? -1 : 1);
        return ins =>
        {
            var x = ins.In(0, n);
            if (!x.IsFloat) throw n.RunError($"needs a float input, got {x.ElementType}.");
            int rank = x.Tensor.Rank;
            int a = OpUtil.Axis(axis, Math.Max(rank, 1), n);
            if (n.Opset >= 13) return [new OnnxValue(f(x.Tensor, a), x.ElementType)];
            var s = x.Shape;
            var flat = x.Tensor.Reshape(OpUtil.Prod(s, 0, a), OpUtil.Prod(s, a, rank));
            return [new OnnxValue(f(flat, 1).Reshape(s.ToArray()), x.ElementType)];
        };
    }

    private static OnnxKernel Gemm(OnnxNode n)
    {
        float alpha = n.Float("alpha", 1f), beta = n.Float("beta", 1f);
        bool transA = n.Int("transA", 0) != 0, transB = n.Int("transB", 0) != 0;
        // A constant transposed B (a Linear layer's weight) is transposed once, so the GEMM packs it with
        // contiguous vector loads instead of a strided gather on every run (same products, same sums).
        var constantB = transB ? n.ConstantInput(1) : null;
        float[]? bTransposed = null;
        // Y = A·Bᵀ + c with a constant B and a per-column bias is a 1×1 convolution of the rows of A: it runs on
        // the convolution's batch-wide GEMM with B packed once (PackedWeightCache).
        var packedB = constantB is not null && !transA && alpha == 1f ? new MLNetDeep.Tensors.Kernels.PackedWeightCache() : null;
        return ins =>
        {
            var a = ins.In(0, n);
            var b = ins.In(1, n);
            var c = ins.Opt(2);
            if (!a.IsFloat || a.ElementType != b.ElementType) throw n.RunError($"Gemm needs float inputs of one type, got {a.ElementType} and {b.ElementType}.");
            if (a.Tensor.Rank != 2 || b.Tensor.Rank != 2) throw n.RunError($"A and B must be matrices, got {a} and {b}.");
            int m = transA ? a.Shape[1] : a.Shape[0], k = transA ? a.Shape[0] : a.Shape[1];
            int kb = transB ? b.Shape[1] : b.Shape[0], nn = transB ? b.Shape[0] : b.Shape[1];
            if (k != kb) throw n.RunError($"inner dims differ: {a} × {b} (transA={transA}, transB={transB}).");
            if (packedB is not null && a.Tensor.DType == DType.Float32 && ReferenceEquals(b.Tensor, constantB!.Tensor)
                && (c is null || beta == 0 || (beta == 1f && c.Tensor.DType == DType.Float32 && c.Tensor.Rank >= 1 && c.Tensor.Numel == nn && c.Shape[^1] == nn)))
            {
                var bias = c is null || beta == 0 ? null : c.Tensor.Reshape([nn]);
                if (m <= MLNetDeep.Tensors.Kernels.GemvF32.MaxRows)
                {
                    // A few rows (batch 1–4): each weight row is read once from its own layout, no packed panels.
                    var xs = a.Tensor.Contiguous();
                    var ws = b.Tensor.Contiguous();
                    var bs = bias?.Contiguous();
                    var yv = Tensor.Uninitialized([m, nn], DType.Float32);
                    MLNetDeep.Tensors.Kernels.GemvF32.Forward(xs.Arr<float>(), xs.Offset, m, k, ws.Arr<float>(), ws.Offset, nn,
                        bs?.Arr<float>(), bs?.Offset ?? 0, yv.Arr<float>(), yv.Offset);
                    return [new OnnxValue(yv, a.ElementType)];
                }
                var y4 = F.Conv2dClamped(a.Tensor.Reshape([m, k, 1, 1]), b.Tensor.Reshape([nn, k, 1, 1]), bias, [1], [0], [1], 1,
                    float.NegativeInfinity, float.PositiveInfinity, packedB);
                return [new OnnxValue(y4.Reshape([m, nn]), a.ElementType)];
            }
            if (a.Tensor.DType == DType.Float32)
            {
                var y = new float[m * nn];
                bool addC = c is not null && beta != 0;
                if (addC)
                {
                    var cs = OpUtil.DataAs<float>(c!.Tensor.DType == DType.Float32 ? c.Tensor : c.Tensor.To(DType.Float32), [m, nn]);
                    for (int i = 0; i < y.Length; i++) y[i] = beta * cs[i];
                }
                var at = a.Tensor.Contiguous();
                var bt = b.Tensor.Contiguous();
                bool tb = transB;
                float[]? bT = null;
                if (constantB is not null && ReferenceEquals(b.Tensor, constantB.Tensor))
                {
                    bT = bTransposed ??= bt.T.Contiguous().ToFloatArray();
                    tb = false;
                }
                unsafe
                {
                    fixed (float* pa = at.Data<float>(), pb = bt.Data<float>(), pbT = bT, py = y)
                        MLNetDeep.Tensors.Kernels.Gemm.Sgemm(transA, tb, m, nn, k, alpha, pa, a.Shape[1], bT != null ? pbT : pb, bT != null ? nn : b.Shape[1],
                            addC ? 1f : 0f, py, nn);
                }
                return [new OnnxValue(Make.T(y, m, nn), a.ElementType)];
            }
            var x = transA ? a.Tensor.T : a.Tensor;
            var w = transB ? b.Tensor.T : b.Tensor;
            var z = x.MatMul(w).Mul(alpha);
            if (c is not null && beta != 0) z = z.Add(c.Tensor.Mul(beta));
            return [new OnnxValue(z, a.ElementType)];
        };
    }

    private static OnnxKernel BatchNorm(OnnxNode n)
    {
        double eps = n.Float("epsilon", 1e-5f), momentum = n.Float("momentum", 0.9f);
        bool training = n.Opset >= 14 && n.Int("training_mode", 0) != 0;
        if (n.Opset < 9 && n.Int("spatial", 1) != 1) throw n.Error("spatial = 0 is not supported.");
        return ins =>
        {
            var x = ins.In(0, n);
            if (!x.IsFloat || x.Tensor.Rank < 2) throw n.RunError($"needs a float input of rank ≥ 2, got {x}.");
            int rank = x.Tensor.Rank, ch = x.Shape[1];
            var bshape = Enumerable.Range(0, rank).Select(i => i == 1 ? ch : 1).ToArray();
            Tensor P(int i)
            {
                var v = ins.In(i, n).Tensor;
                if (v.Numel != ch) throw n.RunError($"input {i} must have {ch} elements, got {v.Numel}.");
                return (v.DType == x.Tensor.DType ? v : v.To(x.Tensor.DType)).Reshape(bshape);
            }
            Tensor scale = P(1), bias = P(2), mean = P(3), var = P(4);
            if (!training)
                return [new OnnxValue(x.Tensor.Sub(mean).Mul(scale.Div(var.Add(eps).Sqrt())).Add(bias), x.ElementType)];
            var axes = Enumerable.Range(0, rank).Where(i => i != 1).ToArray();
            var bm = x.Tensor.Mean(axes, keepDim: true);
            var d = x.Tensor.Sub(bm);
            var bv = d.Mul(d).Mean(axes, keepDim: true);
            var y = d.Mul(scale.Div(bv.Add(eps).Sqrt())).Add(bias);
            var rm = mean.Mul(momentum).Add(bm.Mul(1 - momentum)).Reshape(ch);
            var rv = var.Mul(momentum).Add(bv.Mul(1 - momentum)).Reshape(ch);
            return [new OnnxValue(y, x.ElementType), new OnnxValue(rm, x.ElementType), new OnnxValue(rv, x.ElementType)];
        };
    }

    private static OnnxKernel LayerNorm(OnnxNode n)
    {
        long axis = n.Int("axis", -1);
        double eps = n.Float("epsilon", 1e-5f);
        return ins =>
        {
            var x = ins.In(0, n);
            if (!x.IsFloat) throw n.RunError($"needs a float input, got {x.ElementType}.");
            int rank = x.Tensor.Rank;
            int a = OpUtil.Axis(axis, rank, n);
            var axes = Enumerable.Range(a, rank - a).ToArray();
            var t = x.Tensor;
            var mean = t.Mean(axes, keepDim: true);
            var d = t.Sub(mean);
            var inv = d.Mul(d).Mean(axes, keepDim: true).Add(eps).Sqrt().Reciprocal();
            var y = d.Mul(inv).Mul(ins.In(1, n).Tensor);
            if (ins.Opt(2) is { } b) y = y.Add(b.Tensor);
            return [new OnnxValue(y, x.ElementType), new OnnxValue(mean, x.ElementType), new OnnxValue(inv, x.ElementType)];
        };
    }

    private static OnnxKernel Reduce(OnnxNode n, Func<Tensor, int[], bool, Tensor> f)
    {
        bool keep = n.Int("keepdims", 1) != 0;
        bool axesFromInput = n.OpType == "ReduceSum" && n.Opset >= 13;
        var attrAxes = axesFromInput ? null : n.Ints("axes");
        bool noop = n.Int("noop_with_empty_axes", 0) != 0;
        return ins =>
        {
            var x = ins.In(0, n);
            var axes = axesFromInput ? ins.Opt(1)?.Longs() : attrAxes;
            if (axes is null || axes.Length == 0)
            {
                if (noop) return [x];
                axes = Enumerable.Range(0, x.Tensor.Rank).Select(i => (long)i).ToArray();
            }
            var ax = axes.Select(v => OpUtil.Axis(v, x.Tensor.Rank, n)).Distinct().ToArray();
            if (x.IsFloat) return [new OnnxValue(ax.Length == 0 ? x.Tensor : f(x.Tensor, ax, keep), x.ElementType)];
            var d = f(x.Tensor.To(DType.Float64), ax, keep);
            return [OpUtil.FromDoubles(d.ToDoubleArray(), d.Shape.ToArray(), x.ElementType)];
        };
    }

    private static OnnxKernel ArgMax(OnnxNode n)
    {
        long axis = n.Int("axis", 0);
        bool keep = n.Int("keepdims", 1) != 0, last = n.Int("select_last_index", 0) != 0;
        return ins =>
        {
            var x = ins.In(0, n);
            int rank = x.Tensor.Rank;
            int a = OpUtil.Axis(axis, rank, n);
            var s = x.Shape;
            int outer = OpUtil.Prod(s, 0, a), size = s[a], inner = OpUtil.Prod(s, a + 1, rank);
            if (size == 0) throw n.RunError("cannot take ArgMax over an empty axis.");
            var d = x.Doubles();
            var r = new long[outer * inner];
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++)
                {
                    int best = 0;
                    double bv = d[o * size * inner + i];
                    for (int j = 1; j < size; j++)
                    {
                        double v = d[(o * size + j) * inner + i];
                        if (v > bv || (last && v == bv)) { bv = v; best = j; }
                    }
                    r[o * inner + i] = best;
                }
            var shape = keep ? s.ToArray().Select((v, i) => i == a ? 1 : v).ToArray() : s.ToArray().Where((_, i) => i != a).ToArray();
            return [OpUtil.FromLongs(r, shape)];
        };
    }
}
