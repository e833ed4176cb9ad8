namespace MLNetDeep.Estimators.Vision.Detection;

/// <summary>
/// The two interpolations of a precision/recall curve. Both take the detections of one class sorted by decreasing
/// score, each flagged true positive or not, and the number of ground-truth boxes.
/// </summary>
public static class AveragePrecision
{
    /// <summary>Number of recall points of the COCO interpolation (0, 0.01, …, 1).</summary>
    public const int CocoRecallPoints = 101;

    private const double MachineEpsilon = 2.220446049250313e-16; // 2^-52, numpy's finfo(float64).eps

    /// <summary>
    /// Pascal VOC all-point AP: the area under the precision envelope (precision made non-increasing in recall),
    /// summed over the recall steps. 0 when <paramref name="groundTruthCount"/> is 0.
    /// </summary>
    public static double AllPoint(ReadOnlySpan<bool> truePositives, int groundTruthCount)
    {
        if (groundTruthCount <= 0) return 0;
        int n = truePositives.Length;
        var recall = new double[n + 2];
        var precision = new double[n + 2];
        double tp = 0, fp = 0;
        for (int i = 0; i < n; i++)
        {
            if (truePositives[i]) tp++;
            else fp++;
            recall[i + 1] = tp / groundTruthCount;
            precision[i + 1] = tp / Math.Max(tp + fp, MachineEpsilon);
        }
        recall[n + 1] = 1;
        precision[n + 1] = 0;
        for (int i = n; i >= 0; i--) precision[i] = Math.Max(precision[i], precision[i + 1]);
        double ap = 0;
        for (int i = 0; i <= n; i++)
            if (recall[i + 1] != recall[i]) ap += (recall[i + 1] - recall[i]) * precision[i + 1];
        return ap;
    }

    /// <summary>
    /// COCO 101-point AP: the precision envelope read at recall 0, 0.01, …, 1 (the first detection reaching each
    /// recall; 0 where the recall is never reached), averaged. 0 when <paramref name="groundTruthCount"/> is 0.
    /// </summary>
    public static double CocoInterpolated(ReadOnlySpan<bool> truePositives, int groundTruthCount)
    {
        if (groundTruthCount <= 0) return 0;
        int n = truePositives.Length;
        var recall = new double[n];
        var precision = new double[n];
        double tp = 0, fp = 0;
        for (int i = 0; i < n; i++)
        {
            if (truePositives[i]) tp++;
            else fp++;
            recall[i] = tp / groundTruthCount;
            precision[i] = tp / (tp + fp + MachineEpsilon);
        }
        for (int i = n - 1; i > 0; i--)
            if (precision[i] > precision[i - 1]) precision[i - 1] = precision[i];
        double sum = 0;
        int index = 0;
        for (int r = 0; r < CocoRecallPoints; r++)
        {
            double threshold = r * 0.01; // numpy.linspace(0, 1, 101) computes i·0.01 exactly like this
            if (r == CocoRecallPoints - 1) threshold = 1.0;
            while (index < n && recall[index] < threshold) index++;
            if (index >= n) break;
            sum += precision[index];
        }
        return sum / CocoRecallPoints;
    }
}
