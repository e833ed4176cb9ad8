using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Kernels;

namespace MLNetDeep.Onnx.Operators;

/// <summary>
/// Load-time fusion of a chain first stage → 3×3 depthwise Conv → optional 1×1 projection Conv, each
/// link the only consumer of the previous one (through its fused Relu/Clip), all weights constant. The
/// first stage is an inverted-residual block's 1×1 expansion or a network's 3×3 stride-2 stem over ≤ 4
/// channels; the depthwise stride is 1 or 2 with top/left padding ≤ 1. The earlier nodes become
/// pass-throughs of the chain's input and the last node runs the chain in row bands
/// (<see cref="PointwiseDepthwiseF32"/>), so neither the expanded tensor (six times the block's input)
/// nor the depthwise output is written out. Results are identical. When a run does not suit the band
/// kernel (no AVX-512, not float32, or a sample's expanded map small enough to stay in cache anyway),
/// the last node runs the original kernels one after the other and recycles their intermediates.
/// </summary>
internal static class ExpandDepthwiseFusion
{
    /// <summary>Below this many expanded bytes per sample the separate kernels are as fast (the tensor stays in L2).</summary>
    private const long MinExpandedBytes = 1L << 20;

    /// <summary>Rewrites matching pairs; <paramref name="clamps"/> holds the activation fused into each Conv node and the pass-through node that carried it.</summary>
    public static void Apply(OnnxNode[] nodes, OnnxKernel[] kernels, Dictionary<string, int> uses, Dictionary<string, int> producer,
        Dictionary<int, (float Lo, float Hi, int Activation)> clamps)
    {
        var taken = new HashSet<int>(); // nodes already folded into a fused chain (as expansion, depthwise or projection)
        for (int d = 0; d < nodes.Length; d++)
        {
            var dw = nodes[d];
            if (taken.Contains(d)) continue;
            if (dw.OpType != "Conv" || dw.Inputs.Count == 0 || !producer.TryGetValue(dw.Inputs[0], out int j)) continue;
            if (uses.GetValueOrDefault(dw.Inputs[0]) != 1) continue;
            int k = j;
            if (nodes[j].OpType != "Conv")
            {
                // The depthwise input may be the pass-through of an activation fused into the 1×1 conv.
                if (nodes[j].Inputs.Count == 0 || !producer.TryGetValue(nodes[j].Inputs[0], out k)) continue;
                if (!clamps.TryGetValue(k, out var c) || c.Activation != j) continue;
            }
            var ex = nodes[k];
            if (taken.Contains(k) || ex.OpType != "Conv" || !(IsExpansion(ex) || IsStem(ex)) || !IsDepthwise3x3(dw)) continue;
            if (k != j && uses.GetValueOrDefault(ex.Outputs[0]) != 1) continue;
            var (lo1, hi1, _) = clamps.TryGetValue(k, out var c1) ? c1 : (float.NegativeInfinity, float.PositiveInfinity, -1);
            var (lo2, hi2, _) = clamps.TryGetValue(d, out var c2) ? c2 : (float.NegativeInfinity, float.PositiveInfinity, -1);
            var expandKernel = kernels[k];
            var dwKernel = kernels[d];
            kernels[k] = ins => [ins[0]];
            taken.Add(k);
            taken.Add(d);
            int p = Projection(nodes, d, uses, clamps);
            if (p >= 0) taken.Add(p);
            if (p < 0)
            {
                kernels[d] = Fused(ex, dw, null, expandKernel, dwKernel, null, lo1, hi1, lo2, hi2, 0, 0);
                continue;
            }
            var (lo3, hi3, _) = clamps.TryGetValue(p, out var c3) ? c3 : (float.NegativeInfinity, float.PositiveInfinity, -1);
            kernels[p] = Fused(ex, dw, nodes[p], expandKernel, dwKernel, kernels[p], lo1, hi1, lo2, hi2, lo3, hi3);
            kernels[d] = ins => [ins[0]];
        }
    }

    /// <summary>The 1×1 Conv that alone consumes the depthwise node's output (directly or through its fused activation), or -1.</summary>
    private static int Projection(OnnxNode[] nodes, int d, Dictionary<string, int> uses, Dictionary<int, (float Lo, float Hi, int Activation)> clamps)
    {
        string outName = nodes[d].Outputs[0];
        if (uses.GetValueOrDefault(outName) != 1) return -1;
        if (clamps.TryGetValue(d, out var c))
        {
            outName = nodes[c.Activation].Outputs[0];
            if (uses.GetValueOrDefault(outName) != 1) return -1;
        }
        for (int p = d + 1; p < nodes.Length; p++)
            if (nodes[p].Inputs.Count > 0 && nodes[p].Inputs[0] == outName)
                return nodes[p].OpType == "Conv" && IsExpansion(nodes[p]) ? p : -1;
        return -1;
    }

    private static bool IsExpansion(OnnxNode n) =>
        ConstantKernel(n, 1) is { } w && w.Shape[2] == 1 && n.Int("group", 1) == 1
        && n.Str("auto_pad", "NOTSET") is "NOTSET" or "VALID"
        && All(n.Ints("strides"), 1) && All(n.Ints("dilations"), 1) && All(n.Ints("pads"), 0);

    /// <summary>A network's stem: dense 3×3 stride-2 Conv over at most four input channels (<see cref="StemConvF32"/>).</summary>
    private static bool IsStem(OnnxNode n) =>
        ConstantKernel(n, 3) is { } w && w.Shape[1] <= 4 && n.Int("group", 1) == 1 && n.Ints("strides") is [2, 2] && Window3x3(n);

    private static bool IsDepthwise3x3(OnnxNode n) =>
        ConstantKernel(n, 3) is { } w && w.Shape[1] == 1 && w.Shape[0] >= 2 && n.Int("group", 1) == w.Shape[0]
        && (n.Ints("strides") ?? [1, 1]) is [1, 1] or [2, 2] && Window3x3(n);

    /// <summary>
    /// The Conv's weight when it is a float initializer [O, C, k, k], its bias (if any) a float initializer, and
    /// it has one output; else null.
    /// </summary>
    private static OnnxValue? ConstantKernel(OnnxNode n, int k)
    {
        var w = n.ConstantInput(1);
        if (w is null || w.ElementType != OnnxElementType.Float || w.Tensor.Rank != 4 || w.Shape[2] != k || w.Shape[3] != k) return null;
        if (n.Inputs.Count > 2 && n.Inputs[2].Length > 0 && n.ConstantInput(2) is not { ElementType: OnnxElementType.Float }) return null;
        return n.Outputs.Count(o => o.Length > 0) == 1 ? w : null;
    }

    /// <summary>Explicit padding with top/left ≤ 1 (bottom/right ≤ 2), no dilation: what the band kernels take.</summary>
    private static bool Window3x3(OnnxNode n) =>
        n.Str("auto_pad", "NOTSET") == "NOTSET" && All(n.Ints("dilations"), 1)
        && (n.Ints("pads") ?? [0, 0, 0, 0]) is [0 or 1, 0 or 1, >= 0 and <= 2, >= 0 and <= 2];

    private static bool All(long[]? v, long value) => v is null || v.All(x => x == value);

    private static OnnxKernel Fused(OnnxNode ex, OnnxNode dw, OnnxNode? pj, OnnxKernel expandKernel, OnnxKernel dwKernel, OnnxKernel? pjKernel,
        float lo1, float hi1, float lo2, float hi2, float lo3, float hi3)
    {
        var we = ex.ConstantInput(1)!.Tensor.Contiguous();
        var be = ex.ConstantInput(2)?.Tensor.Contiguous();
        var wd = dw.ConstantInput(1)!.Tensor.Contiguous();
        var bd = dw.ConstantInput(2)?.Tensor.Contiguous();
        int ch = wd.Shape[0], cin = we.Shape[1];
        bool stem = we.Shape[2] == 3; // else a 1×1 expansion
        var stemPads = ex.Ints("pads") ?? [0, 0, 0, 0];
        int s = (int)(dw.Ints("strides")?[0] ?? 1);
        var pads = dw.Ints("pads") ?? [0, 0, 0, 0];
        var packed = new PackedWeightCache();
        var wp = pj?.ConstantInput(1)!.Tensor.Contiguous();
        var bp = pj?.ConstantInput(2)?.Tensor.Contiguous();
        var packedP = new PackedWeightCache();
        var pjInputs = pj is null ? null : Enumerable.Range(0, pj.Inputs.Count).Select(i => i == 0 ? null : pj.ConstantInput(i)).ToArray();
        var exInputs = Enumerable.Range(0, ex.Inputs.Count).Select(i => i == 0 ? null : ex.ConstantInput(i)).ToArray();
        var dwInputs = Enumerable.Range(0, dw.Inputs.Count).Select(i => i == 0 ? null : dw.ConstantInput(i)).ToArray();
        return ins =>
        {
            var x = ins.In(0, dw);
            var t = x.Tensor;
            if (we.Shape[0] != ch || t.DType != DType.Float32 || t.Rank != 4 || t.Shape[1] != cin || !Vector512Ready || (wp is not null && wp.Shape[1] != ch))
                return Separate(x);
            int n = t.Shape[0], h = t.Shape[2], w = t.Shape[3];
            ConvGeometry q0 = default;
            if (stem)
            {
                // The depthwise input is the stem's output.
                int h0 = ConvGeometry.OutputSize(h, 3, 2, (int)stemPads[0], (int)stemPads[2], 1), w0 = ConvGeometry.OutputSize(w, 3, 2, (int)stemPads[1], (int)stemPads[3], 1);
                if (h0 < 1 || w0 < 1) return Separate(x);
                q0 = new ConvGeometry(n, cin, h, w, ch, h0, w0, 3, 3, 2, 2, (int)stemPads[0], (int)stemPads[1], 1, 1, 1);
                if (!StemConvF32.Handles(q0)) return Separate(x);
                (h, w) = (h0, w0);
            }
            int oh = ConvGeometry.OutputSize(h, 3, s, (int)pads[0], (int)pads[2], 1), ow = ConvGeometry.OutputSize(w, 3, s, (int)pads[1], (int)pads[3], 1);
            if (oh < 1 || ow < 1 || (long)ch * h * w * sizeof(float) < MinExpandedBytes) return Separate(x);
            var q = new ConvGeometry(n, ch, h, w, ch, oh, ow, 3, 3, s, s, (int)pads[0], (int)pads[1], 1, 1, ch);
            if (!Depthwise3x3F32.Handles(q)) return Separate(x);
            var xc = t.Contiguous();
            int cout = wp?.Shape[0] ?? ch;
            var y = Tensor.Uninitialized([n, cout, oh, ow], DType.Float32);
            var pp = wp is null ? null : packedP.Get(wp.Arr<float>(), wp.Offset, cout, ch);
            if (stem)
            {
                var first = new StemConvF32.BandRows(q0, xc.Arr<float>(), xc.Offset, we.Arr<float>(), we.Offset, be?.Arr<float>(), be?.Offset ?? 0, lo1, hi1);
                PointwiseDepthwiseF32.Forward(q, first, wd.Arr<float>(), wd.Offset, bd?.Arr<float>(), bd?.Offset ?? 0, lo2, hi2, y.Arr<float>(),
                    pp, bp?.Arr<float>(), bp?.Offset ?? 0, lo3, hi3);
            }
            else
            {
                var pw = packed.Get(we.Arr<float>(), we.Offset, ch, cin);
                PointwiseDepthwiseF32.Forward(q, xc.Arr<float>(), xc.Offset, cin, pw, be?.Arr<float>(), be?.Offset ?? 0, lo1, hi1,
                    wd.Arr<float>(), wd.Offset, bd?.Arr<float>(), bd?.Offset ?? 0, lo2, hi2, y.Arr<float>(),
                    pp, bp?.Arr<float>(), bp?.Offset ?? 0, lo3, hi3);
            }
            return [new OnnxValue(y, x.ElementType)];
        };

        OnnxValue?[] Separate(OnnxValue x)
        {
            var a = (OnnxValue?[])exInputs.Clone();
            a[0] = x;
            var e = expandKernel(a)[0]!;
            var b = (OnnxValue?[])dwInputs.Clone();
            b[0] = e;
            var y = dwKernel(b);
            // The intermediates were allocated here and nothing else refers to them: back to the pool for the next run.
            Recycle(e, x, y[0]);
            if (pjKernel is null) return y;
            var c = (OnnxValue?[])pjInputs!.Clone();
            c[0] = y[0];
            var z = pjKernel(c);
            Recycle(y[0]!, x, z[0]);
            return z;
        }
    }

    private static void Recycle(OnnxValue v, OnnxValue input, OnnxValue? output)
    {
        if (!ReferenceEquals(v.Tensor.Storage, input.Tensor.Storage) && !ReferenceEquals(v.Tensor.Storage, output?.Tensor.Storage))
            BufferPool.Return(v.Tensor.Storage);
    }

    private static bool Vector512Ready => System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated;
}
