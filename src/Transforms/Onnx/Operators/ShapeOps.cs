using MLNetDeep.Tensors;

namespace MLNetDeep.Onnx.Operators;

/// <summary>Shape and data-movement operators (views where the engine allows them).</summary>
internal static class ShapeOps
{
    public static void Register(Dictionary<string, Func<OnnxNode, OnnxKernel>> r)
    {
        r["Reshape"] = n =>
        {
            bool allowZero = n.Int("allowzero", 0) != 0;
            return ins =>
            {
                var x = ins.In(0, n);
                var spec = ins.In(1, n).Longs();
                var dims = new long[spec.Length];
                int infer = -1;
                long known = 1;
                for (int i = 0; i < spec.Length; i++)
                {
                    long d = spec[i];
                    if (d == 0 && !allowZero)
                    {
                        if (i >= x.Tensor.Rank) throw n.RunError($"shape entry {i} is 0 but the input has rank {x.Tensor.Rank}.");
                        d = x.Shape[i];
                    }
                    if (d == -1)
                    {
                        if (infer >= 0) throw n.RunError("more than one -1 in the shape.");
                        infer = i;
                        continue;
                    }
                    if (d < 0) throw n.RunError($"invalid shape entry {d}.");
                    dims[i] = d;
                    known = checked(known * d);
                }
                if (infer >= 0)
                {
                    if (known == 0 || x.Tensor.Numel % known != 0) throw n.RunError("cannot infer the -1 dimension.");
                    dims[infer] = x.Tensor.Numel / known;
                }
                var shape = OpUtil.CheckedShape(dims, n);
                if (OpUtil.Prod(shape, 0, shape.Length) != x.Tensor.Numel)
                    throw n.RunError($"cannot reshape {x} to [{string.Join(",", shape)}].");
                return [new OnnxValue(x.Tensor.Reshape(shape), x.ElementType)];
            };
        };
        r["Flatten"] = n =>
        {
            long axis = n.Int("axis", 1);
            return ins =>
            {
                var x = ins.In(0, n);
                int rank = x.Tensor.Rank;
                if (axis < -rank || axis > rank) throw n.RunError($"axis {axis} is out of range for rank {rank}.");
                int a = (int)(axis < 0 ? axis + rank : axis);
                var s = x.Shape;
                return [new OnnxValue(x.Tensor.Reshape(OpUtil.Prod(s, 0, a), OpUtil.Prod(s, a, rank)), x.ElementType)];
            };
        };
        r["Transpose"] = n =>
        {
            var perm = n.Ints("perm");
            return ins =>
            {
                var x = ins.In(0, n);
                int rank = x.Tensor.Rank;
                var p = perm?.Select(v => OpUtil.Axis(v, rank, n)).ToArray() ?? Enumerable.Range(0, rank).Reverse().ToArray();
                if (p.Length != rank || p.Distinct().Count() != rank) throw n.RunError($"perm [{string.Join(",", p)}] is not a permutation of rank {rank}.");
                return [new OnnxValue(x.Tensor.Permute(p), x.ElementType)];
            };
        };
        r["Concat"] = n =>
        {
            long axis = n.IntOrNull("axis") ?? throw n.Error("attribute 'axis' is required.");
            return ins =>
            {
                var xs = ins.Where(v => v is not null).Select(v => v!).ToArray();
                if (xs.Length == 0) throw n.RunError("no inputs.");
                if (xs.Any(v => v.ElementType != xs[0].ElementType)) throw n.RunError("inputs have different element types.");
                int a = OpUtil.Axis(axis, xs[0].Tensor.Rank, n);
                if (xs.Any(v => v.Tensor.Rank != xs[0].Tensor.Rank)) throw n.RunError("inputs have different ranks.");
                return [new OnnxValue(Tensor.Cat(xs.Select(v => v.Tensor).ToArray(), a), xs[0].ElementType)];
            };
        };
        r["Slice"] = Slice;
        r["Pad"] = PadOp.Compile;
        r["Resize"] = ResizeOp.Compile;
        r["Split"] = Split;
        r["Gather"] = n =>
        {
            long axis = n.Int("axis", 0);
            return ins =>
            {
                var x = ins.In(0, n);
                var idx = ins.In(1, n);
                if (idx.Tensor.DType != DType.Int64) throw n.RunError($"indices must be integers, got {idx.ElementType}.");
                int a = OpUtil.Axis(axis, x.Tensor.Rank, n);
                int size = x.Shape[a];
                var flat = idx.Longs();
                for (int i = 0; i < flat.Length; i++)
                {
                    if (flat[i] < -size || flat[i] >= size) throw n.RunError($"index {flat[i]} is out of range for axis {a} of size {size}.");
                    if (flat[i] < 0) flat[i] += size;
                }
                var y = x.Tensor.IndexSelect(a, Make.T(flat, flat.Length));
                var shape = x.Shape[..a].ToArray().Concat(idx.Shape.ToArray()).Concat(x.Shape[(a + 1)..].ToArray()).ToArray();
                return [new OnnxValue(y.Reshape(shape), x.ElementType)];
            };
        };
        r["Shape"] = n =>
        {
            long start = n.Int("start", 0);
            long? end = n.IntOrNull("end");
            return ins =>
            {
                var x = ins.In(0, n);
                int rank = x.Tensor.Rank;
                long s = Math.Clamp(start < 0 ? start + rank : start, 0, rank);
                long e = Math.Clamp(end is long ev ? (ev < 0 ? ev + rank : ev) : rank, 0, rank);
                var dims = new List<long>();
                for (long i = s; i < e; i++) dims.Add(x.Shape[(int)i]);
                return [OpUtil.FromLongs(dims.ToArray(), [dims.Count])];
            };
        };
        r["Size"] = n => ins => [OpUtil.FromLongs([ins.In(0, n).Tensor.Numel], [])];
        r["Unsqueeze"] = n =>
        {
            var attrAxes = n.Opset < 13 ? n.Ints("axes") ?? throw n.Error("attribute 'axes' is required.") : null;
            return ins =>
            {
                var x = ins.In(0, n);
                var axes = attrAxes ?? ins.In(1, n).Longs();
                int rank = x.Tensor.Rank + axes.Length;
                var norm = axes.Select(v => OpUtil.Axis(v, rank, n)).ToArray();
                if (norm.Distinct().Count() != norm.Length) throw n.RunError("repeated axis.");
                var dims = new int[rank];
                int src = 0;
                for (int i = 0; i < rank; i++) dims[i] = norm.Contains(i) ? 1 : x.Shape[src++];
                return [new OnnxValue(x.Tensor.Reshape(dims), x.ElementType)];
            };
        };
        r["Squeeze"] = n =>
        {
            var attrAxes = n.Opset < 13 ? n.Ints("axes") : null;
            return ins =>
            {
                var x = ins.In(0, n);
                var axes = n.Opset < 13 ? attrAxes : ins.Opt(1)?.Longs();
                int rank = x.Tensor.Rank;
                var drop = axes?.Select(v => OpUtil.Axis(v, rank, n)).ToHashSet()
                    ?? Enumerable.Range(0, rank).Where(i => x.Shape[i] == 1).ToHashSet();
                foreach (int d in drop) if (x.Shape[d] != 1) throw n.RunError($"cannot squeeze axis {d} of size {x.Shape[d]}.");
                var dims = Enumerable.Range(0, rank).Where(i => !drop.Contains(i)).Select(i => x.Shape[i]).ToArray();
                return [new OnnxValue(x.Tensor.Reshape(dims), x.ElementType)];
            };
        };
        r["Constant"] = n =>
        {
            OnnxValue v;
            if (n.Has("value")) v = n.Tensor("value")!;
            else if (n.FloatOrNull("value_float") is float f) v = new OnnxValue(Make.T(new[] { f }, []), OnnxElementType.Float);
            else if (n.IntOrNull("value_int") is long l) v = OpUtil.FromLongs([l], []);
            else if (n.Floats("value_floats") is { } fs) v = new OnnxValue(Make.T(fs, fs.Length), OnnxElementType.Float);
            else if (n.Ints("value_ints") is { } ls) v = OpUtil.FromLongs(ls, [ls.Length]);
            else throw n.Error("needs a 'value', 'value_float(s)' or 'value_int(s)' attribute (sparse and string constants are not supported).");
            return _ => [v];
        };
        r["ConstantOfShape"] = n =>
        {
            var value = n.Tensor("value") ?? new OnnxValue(Tensor.Zeros([1]), OnnxElementType.Float);
            if (value.Tensor.Numel != 1) throw n.Error("attribute 'value' must hold one element.");
            return ins =>
            {
                var shape = OpUtil.CheckedShape(ins.In(0, n).Longs(), n);
                var t = value.Tensor.Reshape(Enumerable.Repeat(1, shape.Length).ToArray()).Expand(shape).Contiguous();
                return [new OnnxValue(t, value.ElementType)];
            };
        };
        r["Expand"] = n => ins =>
        {
            var x = ins.In(0, n);
            var target = OpUtil.CheckedShape(ins.In(1, n).Longs(), n);
            var shape = OpUtil.Broadcast(x.Shape, target, n);
            OpUtil.CheckedShape(shape.Select(d => (long)d).ToArray(), n);
            return [new OnnxValue(OpUtil.ExpandTo(x.Tensor, shape).Contiguous(), x.ElementType)];
        };
        r["Range"] = n => ins =>
        {
            var s = ins.In(0, n);
            double start = s.Scalar(n), limit = ins.In(1, n).Scalar(n), delta = ins.In(2, n).Scalar(n);
            if (delta == 0) throw n.RunError("delta must not be zero.");
            double count = Math.Max(Math.Ceiling((limit - start) / delta), 0);
            if (!(count <= n.Limits.MaxRuntimeTensorElements)) throw n.RunError($"{count} elements exceed the limit.");
            int len = (int)count;
            if (s.Tensor.DType == DType.Int64)
            {
                long a = (long)start, d = (long)delta;
                var r = new long[len];
                for (int i = 0; i < len; i++) r[i] = a + i * d;
                return [OpUtil.FromLongs(r, [len], s.ElementType)];
            }
            var v = new double[len];
            if (s.Tensor.DType == DType.Float32)
            {
                // Accumulate in float like the reference loop does.
                float acc = (float)start;
                for (int i = 0; i < len; i++) { v[i] = acc; acc += (float)delta; }
            }
            else for (int i = 0; i < len; i++) v[i] = start + i * delta;
            return [OpUtil.FromDoubles(v, [len], s.ElementType)];
        };
    }

    private static OnnxKernel Slice(OnnxNode n)
    {
        long[]? aStarts = n.Opset < 10 ? n.Ints("starts") : null, aEnds = n.Opset < 10 ? n.Ints("ends") : null, aAxes = n.Opset < 10 ? n.Ints("axes") : null;
        return ins =>
        {
            var x = ins.In(0, n);
            var starts = n.Opset < 10 ? aStarts! : ins.In(1, n).Longs();
            var ends = n.Opset < 10 ? aEnds! : ins.In(2, n).Longs();
            var axes = n.Opset < 10 ? aAxes : ins.Opt(3)?.Longs();
            var steps = n.Opset < 10 ? null : ins.Opt(4)?.Longs();
            if (ends.Length != starts.Length || (axes is not null && axes.Length != starts.Length) || (steps is not null && steps.Length != starts.Length))
                throw n.RunError("starts, ends, axes and steps must have the same length.");
            int rank = x.Tensor.Rank;
            var t = x.Tensor;
            for (int i = 0; i < starts.Length; i++)
            {
                int a = OpUtil.Axis(axes?[i] ?? i, rank, n);
                long step = steps?[i] ?? 1;
                if (step == 0) throw n.RunError("step must not be zero.");
                long size = t.Shape[a];
                long s = starts[i], e = ends[i];
                if (s < 0) s += size;
                if (e < 0) e += size;
                if (step > 0)
                {
                    s = Math.Clamp(s, 0, size);
                    e = Math.Clamp(e, 0, size);
                    t = t.Slice(a, (int)s, (int)Math.Max(e, s), (int)Math.Min(step, int.MaxValue));
                }
                else
                {
                    s = Math.Clamp(s, 0, size - 1);
                    e = Math.Clamp(e, -1, size - 1);
                    var idx = new List<long>();
                    for (long k = s; k > e; k += step) idx.Add(k);
                    t = t.IndexSelect(a, Make.T(idx.ToArray(), idx.Count));
                }
            }
            return [new OnnxValue(t, x.ElementType)];
        };
    }

    private static OnnxKernel Split(OnnxNode n)
    {
        long axis = n.Int("axis", 0);
        var attrSplit = n.Opset < 13 ? n.Ints("split") : null;
        int outputs = n.Outputs.Count;
        return ins =>
        {
            var x = ins.In(0, n);
            int a = OpUtil.Axis(axis, x.Tensor.Rank, n);
            int size = x.Shape[a];
            var split = attrSplit ?? ins.Opt(1)?.Longs();
            if (split is null)
            {
                int chunk = (size + outputs - 1) / outputs;
                split = Enumerable.Range(0, outputs).Select(i => (long)Math.Max(0, Math.Min(chunk, size - i * chunk))).ToArray();
            }
            if (split.Length != outputs || split.Any(s => s < 0) || split.Sum() != size)
                throw n.RunError($"split [{string.Join(",", split)}] does not divide axis {a} of size {size} into {outputs} parts.");
            var r = new OnnxValue?[outputs];
            int off = 0;
            for (int i = 0; i < outputs; i++)
            {
                r[i] = new OnnxValue(x.Tensor.Slice(a, off, off + (int)split[i]), x.ElementType);
                off += (int)split[i];
            }
            return r;
        };
    }
}

/// <summary>The Pad operator (constant, edge and reflect modes; negative pads crop).</summary>
internal static class PadOp
{
    public static OnnxKernel Compile(OnnxNode n)
    {
        string mode = n.Str("mode", "constant");
        if (mode is not ("constant" or "edge" or "reflect")) throw n.Error($"mode '{mode}' is not supported.");
        var attrPads = n.Opset < 11 ? n.Ints("pads") ?? throw n.Error("attribute 'pads' is required.") : null;
        float attrValue = n.Opset < 11 ? n.Float("value", 0f) : 0f;
        return ins =>
        {
            var x = ins.In(0, n);
            int rank = x.Tensor.Rank;
            var pads = attrPads ?? ins.In(1, n).Longs();
            double value = n.Opset < 11 ? attrValue : ins.Opt(2) is { } cv && cv.Tensor.Numel > 0 ? cv.Scalar(n) : 0;
            var axes = n.Opset >= 18 && ins.Opt(3) is { } ax ? ax.Longs().Select(a => OpUtil.Axis(a, rank, n)).ToArray() : Enumerable.Range(0, rank).ToArray();
            if (pads.Length != 2 * axes.Length) throw n.RunError($"pads has {pads.Length} values for {axes.Length} axes.");
            var t = x.Tensor;
            var outShape = x.Shape.ToArray().Select(v => (long)v).ToArray();
            for (int i = 0; i < axes.Length; i++) outShape[axes[i]] += pads[i] + pads[i + axes.Length];
            var shape = OpUtil.CheckedShape(outShape, n);
            for (int i = 0; i < axes.Length; i++)
            {
                int a = axes[i], size = t.Shape[a];
                long b = pads[i], e = pads[i + axes.Length];
                if (mode != "constant" && size == 0 && (b > 0 || e > 0)) throw n.RunError($"cannot {mode}-pad an empty axis.");
                var idx = new long[shape[a]];
                for (long j = 0; j < idx.Length; j++)
                {
                    long src = j - b;
                    if (src >= 0 && src < size) idx[j] = src;
                    else if (mode == "constant") idx[j] = -1;
                    else if (mode == "edge") idx[j] = Math.Clamp(src, 0, size - 1);
                    else
                    {
                        if (size == 1) { idx[j] = 0; continue; }
                        long period = 2 * (size - 1);
                        long m = ((src % period) + period) % period;
                        idx[j] = m < size ? m : period - m;
                    }
                }
                if (mode == "constant")
                {
                    // Gather what exists, then fill the padded positions.
                    var valid = idx.Select(v => Math.Max(v, 0)).ToArray();
                    var g = size == 0 ? Tensor.Zeros(t.Shape.ToArray().Select((v, k) => k == a ? idx.Length : v).ToArray(), t.DType) : t.IndexSelect(a, Make.T(valid, valid.Length));
                    var mask = idx.Select(v => v >= 0 ? 1L : 0L).ToArray();
                    if (mask.Any(v => v == 0))
                    {
                        var ms = Enumerable.Repeat(1, t.Rank).ToArray();
                        ms[a] = idx.Length;
                        var keep = Make.T(mask, ms);
                        var outDims = g.Shape.ToArray();
                        var gv = new OnnxValue(g, x.ElementType);
                        g = Fill(gv, keep, value, outDims).Tensor;
                    }
                    t = g;
                }
                else t = t.IndexSelect(a, Make.T(idx, idx.Length));
            }
            return [new OnnxValue(t.Contiguous(), x.ElementType)];
        };
    }

    private static OnnxValue Fill(OnnxValue g, Tensor keep, double value, int[] dims)
    {
        var k = OpUtil.DataAs<long>(keep, dims);
        switch (g.Tensor.DType)
        {
            case DType.Float32:
            {
                var a = g.Tensor.ToArray<float>();
                for (int i = 0; i < a.Length; i++) if (k[i] == 0) a[i] = (float)value;
                return new OnnxValue(Make.T(a, dims), g.ElementType);
            }
            case DType.Float64:
            {
                var a = g.Tensor.ToArray<double>();
                for (int i = 0; i < a.Length; i++) if (k[i] == 0) a[i] = value;
                return new OnnxValue(Make.T(a, dims), g.ElementType);
            }
            default:
            {
                var a = g.Tensor.ToArray<long>();
                for (int i = 0; i < a.Length; i++) if (k[i] == 0) a[i] = (long)value;
                return new OnnxValue(Make.T(a, dims), g.ElementType);
            }
        }
    }
}
