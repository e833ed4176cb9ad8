using System.Runtime.Intrinsics;

namespace MLNetDeep.Tensors.Kernels;

/// <summary>
/// The float ↔ int8 conversions of quantized inference. Weights: symmetric per output channel, q = round(w / s) in
/// [−127, 127], s = max|w| / 127. Activations: asymmetric per tensor with a reduced range, q = clamp(round(x / s) + z, 0, 127)
/// (round half to even, as ONNX QuantizeLinear), so the u8×s8 pair sums of <see cref="Int8Gemm"/> cannot saturate.
/// </summary>
public static class Int8Quantization
{
    /// <summary>Largest activation code (7-bit range, PyTorch's "reduce_range" for the same reason).</summary>
    public const int ActivationMax = 127;

    /// <summary>Scale and zero point for activations observed in [<paramref name="min"/>, <paramref name="max"/>] (the range is widened to hold 0).</summary>
    public static (float Scale, int ZeroPoint) ActivationParameters(float min, float max)
    {
        if (float.IsNaN(min) || float.IsNaN(max)) throw new ArgumentException("Observed range contains NaN.");
        min = Math.Min(min, 0f);
        max = Math.Max(max, 0f);
        float scale = (max - min) / ActivationMax;
        if (!(scale > 0) || float.IsInfinity(scale)) return (1f, 0);
        int zp = (int)Math.Clamp(MathF.Round(-min / scale, MidpointRounding.ToEven), 0, ActivationMax);
        return (scale, zp);
    }

    /// <summary>Per-row symmetric quantization of a row-major [rows, depth] matrix: the int8 values and one scale per row.</summary>
    public static (sbyte[] Values, float[] Scales) QuantizeWeights(ReadOnlySpan<float> weights, int rows, int depth)
    {
        if (weights.Length != rows * depth) throw new ArgumentException($"Expected {rows}·{depth} weights, got {weights.Length}.", nameof(weights));
        var q = new sbyte[weights.Length];
        var scales = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            var row = weights.Slice(r * depth, depth);
            float maxAbs = 0;
            foreach (float v in row) maxAbs = Math.Max(maxAbs, Math.Abs(v));
            float s = maxAbs > 0 ? maxAbs / 127f : 1f;
            scales[r] = s;
            for (int k = 0; k < depth; k++)
                q[r * depth + k] = (sbyte)Math.Clamp(MathF.Round(row[k] / s, MidpointRounding.ToEven), -127, 127);
        }
        return (q, scales);
    }

    /// <summary>dst[i] = clamp(round(src[i] / scale) + zeroPoint, 0, 127).</summary>
    public static void Quantize(ReadOnlySpan<float> src, float scale, int zeroPoint, Span<byte> dst)
    {
        if (dst.Length < src.Length) throw new ArgumentException("Destination is shorter than the source.", nameof(dst));
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var s = Vector256.Create(scale);
            var z = Vector256.Create(zeroPoint);
            var hi = Vector256.Create(ActivationMax);
            for (; i + 32 <= src.Length; i += 32)
            {
                var q0 = Code(Vector256.Create(src.Slice(i, 8)), s, z, hi);
                var q1 = Code(Vector256.Create(src.Slice(i + 8, 8)), s, z, hi);
                var q2 = Code(Vector256.Create(src.Slice(i + 16, 8)), s, z, hi);
                var q3 = Code(Vector256.Create(src.Slice(i + 24, 8)), s, z, hi);
                var bytes = Vector256.Narrow(Vector256.Narrow(q0, q1).AsUInt16(), Vector256.Narrow(q2, q3).AsUInt16());
                bytes.CopyTo(dst.Slice(i, 32));
            }
        }
        for (; i < src.Length; i++) dst[i] = Code(src[i], scale, zeroPoint);
    }

    private static Vector256<int> Code(Vector256<float> x, Vector256<float> s, Vector256<int> z, Vector256<int> hi) =>
        Vector256.Min(Vector256.Max(Vector256.ConvertToInt32(Vector256.Round(x / s)) + z, Vector256<int>.Zero), hi);

    /// <summary>The code of one value (round half to even, clamped to [0, 127]; NaN gives the zero point).</summary>
    public static byte Code(float x, float scale, int zeroPoint)
    {
        float r = MathF.Round(x / scale, MidpointRounding.ToEven);
        if (float.IsNaN(r)) return (byte)zeroPoint;
        return (byte)Math.Clamp((long)Math.Clamp(r, -1e9f, 1e9f) + zeroPoint, 0, ActivationMax);
    }
}
