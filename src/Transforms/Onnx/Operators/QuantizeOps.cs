using MLNetDeep.Tensors;

namespace MLNetDeep.Onnx.Operators;

/// <summary>
/// QuantizeLinear / DequantizeLinear (opset 13): y = saturate(round_half_even(x / scale) + zero_point) into uint8
/// (the default, or the zero point's type) or int8, and x = (y − zero_point)·scale; per tensor (scalar scale) or per
/// axis (1-D scale along <c>axis</c>, default 1).
/// </summary>
internal static class QuantizeOps
{
    public static void Register(Dictionary<string, Func<OnnxNode, OnnxKernel>> r)
    {
        r["QuantizeLinear"] = n => ins =>
        {
            var x = ins.In(0, n);
            if (!x.IsFloat) throw n.RunError($"QuantizeLinear needs a float input, got {x.ElementType}.");
            var zpValue = ins.Opt(2);
            var type = zpValue?.ElementType ?? OnnxElementType.UInt8;
            var (lo, hi) = type switch
            {
                OnnxElementType.UInt8 => (0L, 255L),
                OnnxElementType.Int8 => (-128L, 127L),
                _ => throw n.RunError($"the zero point must be uint8 or int8, got {type}."),
            };
            var (scale, zp, axisLen, inner) = Parameters(n, x, ins.In(1, n), zpValue);
            var v = x.Tensor.Contiguous().ToFloatArray();
            var q = new long[v.Length];
            for (int i = 0; i < v.Length; i++)
            {
                int c = axisLen == 1 ? 0 : i / inner % axisLen;
                float r = MathF.Round(v[i] / scale[c], MidpointRounding.ToEven);
                q[i] = float.IsNaN(r) ? zp[c] : Math.Clamp((long)Math.Clamp(r, -1e12f, 1e12f) + zp[c], lo, hi);
            }
            return [new OnnxValue(Tensor.Wrap(q, x.Shape.ToArray(), DType.Int64), type)];
        };
        r["DequantizeLinear"] = n => ins =>
        {
            var x = ins.In(0, n);
            if (x.ElementType is not (OnnxElementType.UInt8 or OnnxElementType.Int8 or OnnxElementType.Int32))
                throw n.RunError($"DequantizeLinear needs an int8, uint8 or int32 input, got {x.ElementType}.");
            var (scale, zp, axisLen, inner) = Parameters(n, x, ins.In(1, n), ins.Opt(2));
            var v = x.Longs();
            var y = new float[v.Length];
            for (int i = 0; i < v.Length; i++)
            {
                int c = axisLen == 1 ? 0 : i / inner % axisLen;
                y[i] = (v[i] - zp[c]) * scale[c];
            }
            return [new OnnxValue(Tensor.Wrap(y, x.Shape.ToArray(), DType.Float32), OnnxElementType.Float)];
        };
    }

    /// <summary>Scales and zero points (one each, or one per slice along the axis), the axis length and the inner stride.</summary>
    private static (float[] Scale, long[] Zp, int AxisLen, int Inner) Parameters(OnnxNode n, OnnxValue x, OnnxValue scaleValue, OnnxValue? zpValue)
    {
        var scale = scaleValue.Tensor.Contiguous().ToFloatArray();
        var zp = zpValue is null ? new long[scale.Length] : zpValue.Longs();
        if (zp.Length != scale.Length) throw n.RunError($"scale has {scale.Length} values but the zero point {zp.Length}.");
        if (scaleValue.Tensor.Rank == 0 || scale.Length == 1 && scaleValue.Tensor.Rank <= 1 && x.Tensor.Rank == 0) return (scale, zp, 1, 1);
        if (scaleValue.Tensor.Rank != 1) throw n.RunError($"scale must be a scalar or 1-D, got rank {scaleValue.Tensor.Rank}.");
        int axis = OpUtil.Axis(n.Int("axis", 1), x.Tensor.Rank, n);
        int len = x.Tensor.Size(axis);
        if (scale.Length != len) throw n.RunError($"per-axis scale has {scale.Length} values for axis {axis} of size {len}.");
        int inner = 1;
        for (int d = axis + 1; d < x.Tensor.Rank; d++) inner *= x.Tensor.Size(d);
        return (scale, zp, len, inner);
    }
}
