using System.Numerics.Tensors;
using MLNetDeep.Onnx.Operators;
using MLNetDeep.Tensors;

namespace MLNetDeep.Onnx;

/// <summary>
/// Load-time graph rewrites that keep results identical: a Relu or Clip whose input is a Conv (or
/// Gemm/MatMul/Add) output used by nothing else is applied in place to that freshly allocated
/// output inside the producer's kernel, and the activation node becomes a pass-through. Then a 1×1
/// expansion Conv feeding only a 3×3 depthwise Conv runs inside the depthwise node
/// (<see cref="ExpandDepthwiseFusion"/>).
/// </summary>
internal static class OnnxFusion
{
    private static readonly HashSet<string> Producers = ["Conv", "Gemm"];

    public static void FuseActivations(OnnxNode[] nodes, OnnxKernel[] kernels, IEnumerable<string> graphOutputs)
    {
        var uses = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var n in nodes) foreach (var i in n.Inputs) if (i.Length > 0) uses[i] = uses.GetValueOrDefault(i) + 1;
        foreach (var o in graphOutputs) uses[o] = uses.GetValueOrDefault(o) + 1;
        var producer = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int k = 0; k < nodes.Length; k++) foreach (var o in nodes[k].Outputs) if (o.Length > 0) producer[o] = k;

        var clamps = new Dictionary<int, (float Lo, float Hi, int Activation)>();
        for (int j = 0; j < nodes.Length; j++)
        {
            var act = nodes[j];
            if (act.OpType is not ("Relu" or "Clip") || act.Inputs.Count == 0) continue;
            string x = act.Inputs[0];
            if (!producer.TryGetValue(x, out int k) || !Producers.Contains(nodes[k].OpType) || uses.GetValueOrDefault(x) != 1) continue;
            if (nodes[k].Outputs.Count(o => o.Length > 0) != 1) continue;
            float lo, hi;
            if (act.OpType == "Relu") { lo = 0; hi = float.PositiveInfinity; }
            else if (!ClipBounds(act, out lo, out hi)) continue;
            kernels[j] = ins => [ins[0]];
            if (nodes[k].OpType == "Conv")
            {
                kernels[k] = ConvOps.Conv(nodes[k], lo, hi);
                clamps[k] = (lo, hi, j);
                continue;
            }
            var inner = kernels[k];
            kernels[k] = ins =>
            {
                var outs = inner(ins);
                var y = outs[0]!;
                if (y.ElementType == OnnxElementType.Float && y.Tensor.IsContiguous)
                {
                    Apply(y.Tensor.Data<float>(), lo, hi);
                    return outs;
                }
                var clamped = y.Tensor.Clamp(float.IsNegativeInfinity(lo) ? null : lo, float.IsPositiveInfinity(hi) ? null : hi);
                return [new OnnxValue(clamped, y.ElementType), .. outs.Skip(1)];
            };
        }
        ExpandDepthwiseFusion.Apply(nodes, kernels, uses, producer, clamps);
    }

    private static bool ClipBounds(OnnxNode n, out float lo, out float hi)
    {
        lo = float.NegativeInfinity;
        hi = float.PositiveInfinity;
        if (n.Opset < 11)
        {
            lo = n.FloatOrNull("min") ?? lo;
            hi = n.FloatOrNull("max") ?? hi;
            return true;
        }
        for (int i = 1; i <= 2 && i < n.Inputs.Count; i++)
        {
            if (n.Inputs[i].Length == 0) continue;
            var c = n.ConstantInput(i);
            if (c is null || c.ElementType != OnnxElementType.Float || c.Tensor.Numel != 1) return false;
            float v = c.Tensor.Contiguous().ToFloatArray()[0];
            if (i == 1) lo = v; else hi = v;
        }
        return true;
    }

    /// <summary>x = min(max(x, lo), hi) in place (SIMD).</summary>
    public static void Apply(Span<float> x, float lo, float hi)
    {
        if (!float.IsNegativeInfinity(lo)) TensorPrimitives.Max(x, lo, x);
        if (!float.IsPositiveInfinity(hi)) TensorPrimitives.Min(x, hi, x);
    }
}
