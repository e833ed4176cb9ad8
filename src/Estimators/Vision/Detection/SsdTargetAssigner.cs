using System.Buffers;

namespace MLNetDeep.Estimators.Vision.Detection;

/// <summary>
/// SSD training targets for one image: every prior is matched to the ground-truth box it overlaps most when that IoU
/// is ≥ <see cref="PositiveIou"/>, and each ground-truth box additionally claims the prior that overlaps it most
/// (so every object gets at least one prior; a later box wins a prior two boxes both claim) — the rule of
/// torchvision's <c>SSDMatcher</c>. Matched priors get the box's class and its offsets from <see cref="Coder"/>;
/// the others get class 0 (background) and zero offsets.
/// </summary>
public sealed class SsdTargetAssigner
{
    private readonly float[] _priorCorners;

    /// <summary>Creates an assigner.</summary>
    /// <param name="priors">Priors, packed centre-size (e.g. from <see cref="DefaultBoxes.Generate"/>).</param>
    /// <param name="coder">The offset parameterisation.</param>
    /// <param name="positiveIou">IoU from which a prior is matched to its best box.</param>
    public SsdTargetAssigner(float[] priors, SsdBoxCoder coder, float positiveIou = 0.5f)
    {
        ArgumentNullException.ThrowIfNull(priors);
        ArgumentNullException.ThrowIfNull(coder);
        if (!(positiveIou is > 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(positiveIou), positiveIou, "Must be in (0, 1].");
        PriorCount = BoxGeometry.Count(priors, nameof(priors));
        Priors = priors;
        Coder = coder;
        PositiveIou = positiveIou;
        _priorCorners = new float[priors.Length];
        for (int i = 0; i < PriorCount; i++)
        {
            float cx = priors[4 * i], cy = priors[4 * i + 1], hw = priors[4 * i + 2] / 2, hh = priors[4 * i + 3] / 2;
            (_priorCorners[4 * i], _priorCorners[4 * i + 1], _priorCorners[4 * i + 2], _priorCorners[4 * i + 3]) = (cx - hw, cy - hh, cx + hw, cy + hh);
        }
    }

    /// <summary>The priors, packed centre-size.</summary>
    public float[] Priors { get; }

    /// <summary>Number of priors.</summary>
    public int PriorCount { get; }

    /// <summary>The offset coder.</summary>
    public SsdBoxCoder Coder { get; }

    /// <summary>IoU from which a prior is positive.</summary>
    public float PositiveIou { get; }

    /// <summary>Writes one image's targets; returns the number of positive priors.</summary>
    /// <param name="boxes">Ground-truth boxes, xyxy packed (may be empty: all background).</param>
    /// <param name="labels">Class of each box (≥ 1; 0 is the background).</param>
    /// <param name="classTargets">One class per prior.</param>
    /// <param name="offsetTargets">4 offsets per prior (zero for background).</param>
    /// <param name="matchedBox">Optional: the matched box index per prior, −1 for background.</param>
    public int Assign(ReadOnlySpan<float> boxes, ReadOnlySpan<int> labels, Span<int> classTargets, Span<float> offsetTargets, Span<int> matchedBox = default)
    {
        int g = BoxGeometry.Count(boxes, nameof(boxes)), p = PriorCount;
        if (labels.Length != g) throw new ArgumentException($"{labels.Length} labels for {g} boxes.", nameof(labels));
        if (classTargets.Length != p) throw new ArgumentException($"{classTargets.Length} class targets for {p} priors.", nameof(classTargets));
        if (offsetTargets.Length != 4 * p) throw new ArgumentException($"{offsetTargets.Length} offset targets for {p} priors; 4 per prior are needed.", nameof(offsetTargets));
        if (!matchedBox.IsEmpty && matchedBox.Length != p) throw new ArgumentException($"{matchedBox.Length} match slots for {p} priors.", nameof(matchedBox));
        classTargets.Clear();
        offsetTargets.Clear();
        if (!matchedBox.IsEmpty) matchedBox.Fill(-1);
        if (g == 0) return 0;
        var iou = ArrayPool<float>.Shared.Rent(g * p);
        var match = ArrayPool<int>.Shared.Rent(p);
        try
        {
            var matrix = iou.AsSpan(0, g * p);
            BoxGeometry.IouMatrix(boxes, _priorCorners, matrix); // [box, prior]
            for (int j = 0; j < p; j++)
            {
                int best = 0;
                float bestIou = matrix[j];
                for (int b = 1; b < g; b++)
                {
                    if (matrix[b * p + j] > bestIou)
                    {
                        bestIou = matrix[b * p + j];
                        best = b;
                    }
                }
                match[j] = bestIou >= PositiveIou ? best : -1;
            }
            for (int b = 0; b < g; b++)
            {
                var row = matrix.Slice(b * p, p);
                int bestPrior = 0;
                for (int j = 1; j < p; j++)
                    if (row[j] > row[bestPrior]) bestPrior = j;
                match[bestPrior] = b;
            }
            int positives = 0;
            for (int j = 0; j < p; j++)
            {
                int b = match[j];
                if (b < 0) continue;
                positives++;
                classTargets[j] = labels[b];
                if (!matchedBox.IsEmpty) matchedBox[j] = b;
                Coder.Encode(boxes.Slice(4 * b, 4), Priors.AsSpan(4 * j, 4), offsetTargets.Slice(4 * j, 4));
            }
            return positives;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(iou);
            ArrayPool<int>.Shared.Return(match);
        }
    }
}
