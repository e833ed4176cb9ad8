namespace MLNetDeep.Onnx.Operators;

/// <summary>
/// ONNX Resize (opset 10+): nearest (four rounding modes), linear and cubic, every coordinate
/// transformation mode, exclude_outside and tf_crop_and_resize extrapolation. Separable: each axis
/// is resampled in turn with per-output-coordinate taps (clamped indices and weights).
/// </summary>
internal static class ResizeOp
{
    public static OnnxKernel Compile(OnnxNode n)
    {
        string mode = n.Str("mode", "nearest");
        if (mode is not ("nearest" or "linear" or "cubic")) throw n.Error($"mode '{mode}' is not valid.");
        string coord = n.Str("coordinate_transformation_mode", n.Opset < 11 ? "asymmetric" : "half_pixel");
        if (coord is not ("half_pixel" or "pytorch_half_pixel" or "align_corners" or "asymmetric" or "tf_half_pixel_for_nearest" or "tf_crop_and_resize"))
            throw n.Error($"coordinate_transformation_mode '{coord}' is not valid.");
        string nearest = n.Str("nearest_mode", n.Opset < 11 ? "floor" : "round_prefer_floor");
        if (nearest is not ("round_prefer_floor" or "round_prefer_ceil" or "floor" or "ceil")) throw n.Error($"nearest_mode '{nearest}' is not valid.");
        double a = n.Float("cubic_coeff_a", -0.75f);
        bool exclude = n.Int("exclude_outside", 0) != 0;
        double extrapolation = n.Float("extrapolation_value", 0f);
        return ins =>
        {
            var x = ins.In(0, n);
            int rank = x.Tensor.Rank;
            double[]? roi = n.Opset >= 11 && ins.Opt(1) is { } r && r.Tensor.Numel > 0 ? r.Doubles() : null;
            double[]? scales = (n.Opset < 11 ? ins.Opt(1) : ins.Opt(2)) is { } s && s.Tensor.Numel > 0 ? s.Doubles() : null;
            long[]? sizes = n.Opset >= 11 && ins.Opt(3) is { } z && z.Tensor.Numel > 0 ? z.Longs() : null;
            if ((scales is null) == (sizes is null)) throw n.RunError("exactly one of scales and sizes must be given.");
            var inShape = x.Shape.ToArray();
            var outDims = new long[rank];
            var sc = new double[rank];
            for (int i = 0; i < rank; i++)
            {
                if (sizes is not null)
                {
                    if (sizes.Length != rank) throw n.RunError($"sizes has {sizes.Length} values for rank {rank}.");
                    outDims[i] = sizes[i];
                    sc[i] = inShape[i] == 0 ? 1 : (double)sizes[i] / inShape[i];
                }
                else
                {
                    if (scales!.Length != rank) throw n.RunError($"scales has {scales.Length} values for rank {rank}.");
                    if (!(scales[i] > 0) || scales[i] > n.Limits.MaxRuntimeTensorElements) throw n.RunError($"scale {scales[i]} is not valid.");
                    sc[i] = scales[i];
                    outDims[i] = (long)Math.Floor(inShape[i] * scales[i]);
                }
            }
            var outShape = OpUtil.CheckedShape(outDims, n);
            if (coord == "tf_crop_and_resize" && (roi is null || roi.Length != 2 * rank)) throw n.RunError("tf_crop_and_resize needs an roi of 2·rank values.");

            var data = x.Doubles();
            var shape = (int[])inShape.Clone();
            var outside = new bool[rank][];
            for (int ax = 0; ax < rank; ax++)
            {
                if (shape[ax] == outShape[ax] && sc[ax] == 1 && coord != "tf_crop_and_resize") continue;
                var (idx, w, taps, outOfRange) = Taps(shape[ax], outShape[ax], sc[ax], ax, rank, roi, mode, coord, nearest, a, exclude);
                outside[ax] = outOfRange;
                data = ResampleAxis(data, shape, ax, outShape[ax], idx, w, taps);
                shape[ax] = outShape[ax];
            }
            if (coord == "tf_crop_and_resize") SetOutside(data, shape, outside, extrapolation);
            return [OpUtil.FromDoubles(data, shape, x.ElementType)];
        };
    }

    private static (int[] Idx, double[] W, int Taps, bool[] Outside) Taps(int inSize, int outSize, double scale, int ax, int rank,
        double[]? roi, string mode, string coord, string nearest, double a, bool exclude)
    {
        int taps = mode == "cubic" ? 4 : 2;
        var idx = new int[outSize * taps];
        var w = new double[outSize * taps];
        var outside = new bool[outSize];
        Span<double> c = stackalloc double[4];
        double len = scale * inSize; // the spec's length_resized: unfloored when scales are given
        for (int o = 0; o < outSize; o++)
        {
            double xo = coord switch
            {
                "half_pixel" => (o + 0.5) / scale - 0.5,
                "pytorch_half_pixel" => len > 1 ? (o + 0.5) / scale - 0.5 : 0,
                "align_corners" => len == 1 ? 0 : o * (double)(inSize - 1) / (len - 1),
                "asymmetric" => o / scale,
                "tf_half_pixel_for_nearest" => (o + 0.5) / scale,
                _ => len > 1
                    ? roi![ax] * (inSize - 1) + o * (roi[ax + rank] - roi[ax]) * (inSize - 1) / (len - 1)
                    : 0.5 * (roi![ax] + roi[ax + rank]) * (inSize - 1),
            };
            if (coord == "tf_crop_and_resize" && (xo < 0 || xo > inSize - 1)) outside[o] = true;
            double fl = Math.Floor(xo);
            bool integer = xo == fl;
            double ratio = integer ? 1 : xo - fl;
            int start = integer ? (int)fl - taps / 2 : (int)fl - taps / 2 + 1;
            if (mode == "linear") { c[0] = 1 - ratio; c[1] = ratio; }
            else if (mode == "cubic")
            {
                double r1 = ratio + 1, q = 1 - ratio, q1 = q + 1;
                c[0] = ((a * r1 - 5 * a) * r1 + 8 * a) * r1 - 4 * a;
                c[1] = ((a + 2) * ratio - (a + 3)) * ratio * ratio + 1;
                c[2] = ((a + 2) * q - (a + 3)) * q * q + 1;
                c[3] = ((a * q1 - 5 * a) * q1 + 8 * a) * q1 - 4 * a;
            }
            else
            {
                bool right = integer || nearest switch
                {
                    "round_prefer_floor" => ratio > 0.5,
                    "round_prefer_ceil" => ratio >= 0.5,
                    "floor" => false,
                    _ => true,
                };
                c[0] = right ? 0 : 1;
                c[1] = right ? 1 : 0;
            }
            if (exclude)
            {
                double sum = 0;
                for (int k = 0; k < taps; k++)
                {
                    if (start + k < 0 || start + k >= inSize) c[k] = 0;
                    sum += c[k];
                }
                if (sum != 0) for (int k = 0; k < taps; k++) c[k] /= sum;
            }
            for (int k = 0; k < taps; k++)
            {
                idx[o * taps + k] = Math.Clamp(start + k, 0, Math.Max(inSize - 1, 0));
                w[o * taps + k] = c[k];
            }
        }
        return (idx, w, taps, outside);
    }

    private static double[] ResampleAxis(double[] src, int[] shape, int ax, int outSize, int[] idx, double[] w, int taps)
    {
        int outer = OpUtil.Prod(shape, 0, ax), size = shape[ax], inner = OpUtil.Prod(shape, ax + 1, shape.Length);
        var dst = new double[(long)outer * outSize * inner];
        if (size == 0) return dst;
        for (int b = 0; b < outer; b++)
            for (int o = 0; o < outSize; o++)
            {
                var row = dst.AsSpan((b * outSize + o) * inner, inner);
                for (int k = 0; k < taps; k++)
                {
                    double c = w[o * taps + k];
                    if (c == 0) continue;
                    var s = src.AsSpan((b * size + idx[o * taps + k]) * inner, inner);
                    for (int i = 0; i < inner; i++) row[i] += c * s[i];
                }
            }
        return dst;
    }

    private static void SetOutside(double[] data, int[] shape, bool[][] outside, double value)
    {
        var pos = new int[shape.Length];
        for (int i = 0; i < data.Length; i++)
        {
            for (int ax = 0; ax < shape.Length; ax++)
                if (outside[ax] is { } o && o[pos[ax]]) { data[i] = value; break; }
            for (int ax = shape.Length - 1; ax >= 0; ax--)
            {
                if (++pos[ax] < shape[ax]) break;
                pos[ax] = 0;
            }
        }
    }
}
