namespace MLNetDeep.Estimators.Vision.Detection;

/// <summary>
/// SSD default (prior) boxes for a set of square feature maps over a square input: on map k (size f_k) with scale
/// s_k, every cell (i, j) gets boxes centred at ((j + ½)/f_k, (i + ½)/f_k)·imageSize with size s_k·√a × s_k/√a for
/// each aspect ratio a, plus one extra square of size √(s_k·s_{k+1}) (s_{K} = 1 for the last map). Boxes are
/// packed centre-size <c>(cx, cy, w, h)</c> in pixels, ordered map, row, column, then box (the order a head's
/// outputs flatten to when reshaped from <c>[batch, boxes·4, f, f]</c> with channels last).
/// </summary>
public static class DefaultBoxes
{
    /// <summary>Number of boxes per cell for the given aspect ratios (the ratios plus the extra square).</summary>
    public static int BoxesPerCell(IReadOnlyList<float> aspectRatios) => aspectRatios.Count + 1;

    /// <summary>Generates the priors.</summary>
    /// <param name="imageSize">Input side in pixels.</param>
    /// <param name="featureMapSizes">Side of each feature map, finest first.</param>
    /// <param name="scales">Scale of each map as a fraction of <paramref name="imageSize"/> (same count).</param>
    /// <param name="aspectRatios">Width/height ratios, e.g. 1, 2, ½.</param>
    /// <returns>Packed centre-size priors, 4 floats per box.</returns>
    public static float[] Generate(int imageSize, IReadOnlyList<int> featureMapSizes, IReadOnlyList<float> scales, IReadOnlyList<float> aspectRatios)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(imageSize);
        ArgumentNullException.ThrowIfNull(featureMapSizes);
        ArgumentNullException.ThrowIfNull(scales);
        ArgumentNullException.ThrowIfNull(aspectRatios);
        if (scales.Count != featureMapSizes.Count)
            throw new ArgumentException($"{scales.Count} scales for {featureMapSizes.Count} feature maps; one scale per map is needed.", nameof(scales));
        if (aspectRatios.Count == 0 || aspectRatios.Any(a => !(a > 0)))
            throw new ArgumentException("Aspect ratios must be positive and at least one is needed.", nameof(aspectRatios));
        int perCell = BoxesPerCell(aspectRatios);
        int total = featureMapSizes.Sum(f => f > 0 ? f * f * perCell : throw new ArgumentException($"Feature map size {f} is not positive.", nameof(featureMapSizes)));
        var priors = new float[4 * total];
        int p = 0;
        for (int k = 0; k < featureMapSizes.Count; k++)
        {
            int f = featureMapSizes[k];
            float s = scales[k];
            float next = k + 1 < scales.Count ? scales[k + 1] : 1f;
            float extra = MathF.Sqrt(s * next);
            for (int i = 0; i < f; i++)
            {
                for (int j = 0; j < f; j++)
                {
                    float cx = (j + 0.5f) / f * imageSize, cy = (i + 0.5f) / f * imageSize;
                    foreach (float a in aspectRatios)
                    {
                        float r = MathF.Sqrt(a);
                        Put(priors, ref p, cx, cy, s * r * imageSize, s / r * imageSize);
                    }
                    Put(priors, ref p, cx, cy, extra * imageSize, extra * imageSize);
                }
            }
        }
        return priors;
    }

    private static void Put(float[] priors, ref int p, float cx, float cy, float w, float h)
    {
        priors[p++] = cx;
        priors[p++] = cy;
        priors[p++] = w;
        priors[p++] = h;
    }
}
