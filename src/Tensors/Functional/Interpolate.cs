namespace MLNetDeep.Tensors;

/// <summary>Spatial resampling, derived from matrix products (so its gradient comes from <c>MatMul</c>).</summary>
public static partial class F
{
    /// <summary>
    /// Resizes an [N, C, H, W] input (PyTorch's <c>interpolate</c>) to <paramref name="size"/> (height, width) or by
    /// <paramref name="scaleFactor"/> (one or two values; output = ⌊in·scale⌋). <paramref name="mode"/>: "nearest"
    /// or "bilinear" (with <paramref name="alignCorners"/>). Separable: y = A_h · x · A_wᵀ with interpolation
    /// matrices A whose rows hold PyTorch's source indices and weights.
    /// </summary>
    /// <exception cref="ArgumentException">Neither or both of size and scale factor, an unknown mode, or alignCorners with "nearest".</exception>
    public static Tensor Interpolate(Tensor input, int[]? size = null, double[]? scaleFactor = null, string mode = "nearest", bool? alignCorners = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        input.RequireFloat("Interpolate");
        if (input.Rank != 4) throw new ArgumentException($"Interpolate needs a 4-D [N, C, H, W] input, got {ShapeUtil.Format(input.Dims)}.", nameof(input));
        if ((size == null) == (scaleFactor == null)) throw new ArgumentException("Interpolate needs exactly one of size and scaleFactor.", nameof(size));
        bool bilinear = mode switch
        {
            "nearest" => false,
            "bilinear" => true,
            _ => throw new ArgumentException($"Interpolate mode must be \"nearest\" or \"bilinear\", got \"{mode}\".", nameof(mode)),
        };
        if (!bilinear && alignCorners != null) throw new ArgumentException("alignCorners only applies to bilinear mode.", nameof(alignCorners));
        int h = input.Dims[2], w = input.Dims[3];
        int oh, ow;
        double? sh = null, sw = null;
        if (size != null)
        {
            (oh, ow) = Pair(size, nameof(size), 1);
        }
        else
        {
            if (scaleFactor!.Length is not (1 or 2)) throw new ArgumentException("scaleFactor needs 1 or 2 values.", nameof(scaleFactor));
            sh = scaleFactor[0];
            sw = scaleFactor[^1];
            if (sh <= 0 || sw <= 0) throw new ArgumentOutOfRangeException(nameof(scaleFactor), "scaleFactor must be positive.");
            oh = (int)Math.Floor(h * sh.Value);
            ow = (int)Math.Floor(w * sw.Value);
        }
        if (oh < 1 || ow < 1) throw new ArgumentException($"Interpolate output size {oh}×{ow} is empty.", nameof(size));
        bool ac = alignCorners ?? false;
        var ah = Matrix(h, oh, sh, bilinear, ac, input.DType);
        var awT = Matrix(w, ow, sw, bilinear, ac, input.DType).Transpose(0, 1);
        return ah.MatMul(input.MatMul(awT));
    }

    /// <summary>Upsampling (PyTorch's <c>upsample</c>): <see cref="Interpolate"/> by a scale factor.</summary>
    public static Tensor Upsample(Tensor input, double scaleFactor, string mode = "nearest", bool? alignCorners = null) =>
        Interpolate(input, null, [scaleFactor], mode, alignCorners);

    /// <summary>The [out, in] interpolation matrix of one axis, computed as PyTorch does (in float for float32 tensors).</summary>
    private static Tensor Matrix(int input, int output, double? scale, bool bilinear, bool alignCorners, DType dtype)
    {
        var m = new double[output * input];
        bool f32 = dtype == DType.Float32;
        // compute_scales_value: 1/scale when a scale factor was given, else in/out.
        double ScaleValue() => scale is double s ? 1.0 / s : (double)input / output;
        if (!bilinear)
        {
            float sf = (float)ScaleValue();
            for (int o = 0; o < output; o++)
            {
                int src = output == input ? o : output == 2 * input ? o >> 1
                    : Math.Min((int)Math.Floor(f32 ? o * sf : o * ScaleValue()), input - 1);
                m[o * input + src] = 1;
            }
        }
        else
        {
            double s = alignCorners ? (output > 1 ? (double)(input - 1) / (output - 1) : 0) : ScaleValue();
            for (int o = 0; o < output; o++)
            {
                double real;
                if (f32)
                {
                    float fs = (float)s;
                    float r = alignCorners ? fs * o : fs * (o + 0.5f) - 0.5f;
                    real = r < 0 ? 0 : r;
                }
                else
                {
                    double r = alignCorners ? s * o : s * (o + 0.5) - 0.5;
                    real = r < 0 ? 0 : r;
                }
                int i0 = (int)real;
                int off = i0 < input - 1 ? 1 : 0;
                double l1 = f32 ? Math.Clamp((float)real - i0, 0f, 1f) : Math.Clamp(real - i0, 0, 1);
                double l0 = f32 ? 1f - (float)l1 : 1 - l1;
                m[o * input + i0] += l0;
                m[o * input + i0 + off] += l1;
            }
        }
        var t = Tensor.FromArray(m, output, input);
        return f32 ? t.To(DType.Float32) : t;
    }
}
