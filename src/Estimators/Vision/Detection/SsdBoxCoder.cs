namespace MLNetDeep.Estimators.Vision.Detection;

/// <summary>
/// SSD's box parameterisation against default (prior) boxes. For a prior with centre (pcx, pcy) and size (pw, ph)
/// and a box with centre (cx, cy) and size (w, h), the offsets are
/// <c>((cx − pcx)/(pw·v₀), (cy − pcy)/(ph·v₀), ln(w/pw)/v₁, ln(h/ph)/v₁)</c> with the variances (v₀, v₁), by default
/// (0.1, 0.2) — the same as torchvision's <c>BoxCoder</c> with weights (10, 10, 5, 5). Boxes are packed xyxy, priors
/// packed centre-size <c>(cx, cy, w, h)</c>, offsets packed 4 per box.
/// </summary>
public sealed class SsdBoxCoder
{
    /// <summary>Upper bound on a decoded log-scale offset (ln(1000/16), as torchvision), so a wild prediction cannot overflow.</summary>
    public static readonly float MaxLogScale = MathF.Log(1000f / 16f);

    /// <summary>Creates a coder.</summary>
    /// <param name="centerVariance">v₀, the centre-offset variance.</param>
    /// <param name="sizeVariance">v₁, the log-size variance.</param>
    public SsdBoxCoder(float centerVariance = 0.1f, float sizeVariance = 0.2f)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(centerVariance);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sizeVariance);
        CenterVariance = centerVariance;
        SizeVariance = sizeVariance;
    }

    /// <summary>v₀.</summary>
    public float CenterVariance { get; }

    /// <summary>v₁.</summary>
    public float SizeVariance { get; }

    /// <summary>Offsets of box i against prior i, for every i.</summary>
    /// <param name="boxes">n boxes, xyxy packed (positive sizes).</param>
    /// <param name="priors">n priors, centre-size packed.</param>
    /// <param name="offsets">4·n offsets.</param>
    public void Encode(ReadOnlySpan<float> boxes, ReadOnlySpan<float> priors, Span<float> offsets)
    {
        int n = CheckLengths(boxes, priors, offsets);
        float ic = 1f / CenterVariance, isz = 1f / SizeVariance;
        for (int i = 0; i < n; i++)
        {
            int k = 4 * i;
            float w = boxes[k + 2] - boxes[k], h = boxes[k + 3] - boxes[k + 1];
            float cx = boxes[k] + 0.5f * w, cy = boxes[k + 1] + 0.5f * h;
            float pw = priors[k + 2], ph = priors[k + 3];
            offsets[k] = (cx - priors[k]) / pw * ic;
            offsets[k + 1] = (cy - priors[k + 1]) / ph * ic;
            offsets[k + 2] = MathF.Log(w / pw) * isz;
            offsets[k + 3] = MathF.Log(h / ph) * isz;
        }
    }

    /// <summary>Boxes (xyxy packed) from offsets against their priors; the inverse of <see cref="Encode"/>.</summary>
    public void Decode(ReadOnlySpan<float> offsets, ReadOnlySpan<float> priors, Span<float> boxes)
    {
        int n = CheckLengths(boxes, priors, offsets);
        for (int i = 0; i < n; i++)
        {
            int k = 4 * i;
            float pw = priors[k + 2], ph = priors[k + 3];
            float cx = priors[k] + offsets[k] * CenterVariance * pw;
            float cy = priors[k + 1] + offsets[k + 1] * CenterVariance * ph;
            float w = pw * MathF.Exp(MathF.Min(offsets[k + 2] * SizeVariance, MaxLogScale));
            float h = ph * MathF.Exp(MathF.Min(offsets[k + 3] * SizeVariance, MaxLogScale));
            boxes[k] = cx - 0.5f * w;
            boxes[k + 1] = cy - 0.5f * h;
            boxes[k + 2] = cx + 0.5f * w;
            boxes[k + 3] = cy + 0.5f * h;
        }
    }

    private static int CheckLengths(ReadOnlySpan<float> boxes, ReadOnlySpan<float> priors, ReadOnlySpan<float> offsets)
    {
        int n = BoxGeometry.Count(boxes, nameof(boxes));
        if (priors.Length != boxes.Length) throw new ArgumentException($"{priors.Length / 4} priors for {n} boxes; one prior per box is needed.", nameof(priors));
        if (offsets.Length != boxes.Length) throw new ArgumentException($"{offsets.Length} offset values for {n} boxes; 4 per box are needed.", nameof(offsets));
        return n;
    }
}
