using System.Globalization;
using MLNetDeep.Data;

namespace MLNetDeep.Estimators.Vision.Detection;

/// <summary>
/// Computes <see cref="DetectionMetrics"/> from ground-truth and predicted boxes per image. Matching follows the
/// reference tools: VOC takes, for each detection in decreasing score order, the ground truth of its class with the
/// highest IoU and counts a true positive when that IoU is above 0.5 and the box is not taken yet; COCO takes the
/// best not-yet-taken ground truth with IoU ≥ t, for each of the ten thresholds t, within each image, keeping at most
/// <c>maxDetectionsPerImage</c> detections per image and class. Detections of classes without ground truth are ignored.
/// </summary>
public static class DetectionEvaluator
{
    /// <summary>The COCO IoU thresholds 0.50, 0.55, …, 0.95.</summary>
    public static IReadOnlyList<double> CocoIouThresholds { get; } = Enumerable.Range(0, 10).Select(i => 0.5 + 0.05 * i).ToArray();

    /// <summary>Evaluates predictions against ground truth, image by image.</summary>
    /// <param name="groundTruth">Ground-truth boxes of each image (scores ignored).</param>
    /// <param name="predictions">Predicted boxes of each image, with scores.</param>
    /// <param name="classNames">Optional names by key id: class id k (1..K) is named <c>classNames[k − 1]</c>; other ids are named by their number.</param>
    /// <param name="maxDetectionsPerImage">COCO cap per image and class.</param>
    public static DetectionMetrics Evaluate(IReadOnlyList<IReadOnlyList<BoundingBox>> groundTruth, IReadOnlyList<IReadOnlyList<BoundingBox>> predictions,
        IReadOnlyList<string>? classNames = null, int maxDetectionsPerImage = 100)
    {
        ArgumentNullException.ThrowIfNull(groundTruth);
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxDetectionsPerImage);
        if (groundTruth.Count != predictions.Count)
            throw new ArgumentException($"{predictions.Count} prediction lists for {groundTruth.Count} images; one per image is needed.", nameof(predictions));
        var classes = groundTruth.SelectMany(g => g).Select(b => b.Label).Distinct().Order().ToArray();
        var perClass = new List<ClassAveragePrecision>(classes.Length);
        foreach (int c in classes)
        {
            string name = classNames is not null && c >= 1 && c <= classNames.Count ? classNames[c - 1] : c.ToString(CultureInfo.InvariantCulture);
            perClass.Add(EvaluateClass(groundTruth, predictions, c, name, maxDetectionsPerImage));
        }
        var anyClass = EvaluateClass(AsOneClass(groundTruth), AsOneClass(predictions), 0, "any", maxDetectionsPerImage).VocAveragePrecision50;
        var (found, rightClass, total) = TopDetections(groundTruth, predictions);
        return new DetectionMetrics(perClass, groundTruth.Count, maxDetectionsPerImage,
            new DetectionDiagnostics(anyClass, total == 0 ? double.NaN : (double)found / total, found == 0 ? double.NaN : (double)rightClass / found));
    }

    private static IReadOnlyList<IReadOnlyList<BoundingBox>> AsOneClass(IReadOnlyList<IReadOnlyList<BoundingBox>> boxes) =>
        boxes.Select(image => (IReadOnlyList<BoundingBox>)(image ?? []).Select(b => b with { Label = 0 }).ToArray()).ToArray();

    /// <summary>
    /// Ground-truth boxes overlapped (IoU &gt; 0.5) by some detection of any class, those whose highest-scoring such
    /// detection (the first on ties) has their class, and all ground-truth boxes.
    /// </summary>
    private static (int Found, int RightClass, int Total) TopDetections(IReadOnlyList<IReadOnlyList<BoundingBox>> groundTruth,
        IReadOnlyList<IReadOnlyList<BoundingBox>> predictions)
    {
        int found = 0, right = 0, total = 0;
        for (int img = 0; img < groundTruth.Count; img++)
        {
            var gts = groundTruth[img];
            var dets = predictions[img] ?? [];
            total += gts.Count;
            if (gts.Count == 0 || dets.Count == 0) continue;
            var ious = BoxGeometry.IouMatrix(BoxGeometry.ToCorners(gts.ToArray()), BoxGeometry.ToCorners(dets.ToArray()));
            for (int g = 0; g < gts.Count; g++)
            {
                int best = -1;
                for (int d = 0; d < dets.Count; d++)
                    if (ious[g * dets.Count + d] > 0.5f && (best < 0 || dets[d].Score > dets[best].Score)) best = d;
                if (best < 0) continue;
                found++;
                if (dets[best].Label == gts[g].Label) right++;
            }
        }
        return (found, right, total);
    }

    private readonly record struct Detection(int Image, int RankInImage, float Score, float[] Ious);

    private static ClassAveragePrecision EvaluateClass(IReadOnlyList<IReadOnlyList<BoundingBox>> groundTruth, IReadOnlyList<IReadOnlyList<BoundingBox>> predictions,
        int cls, string name, int maxPerImage)
    {
        int images = groundTruth.Count;
        var gtCounts = new int[images];
        var detections = new List<Detection>(); // all detections of the class, in image order then score order
        int totalGt = 0;
        for (int img = 0; img < images; img++)
        {
            var gts = groundTruth[img].Where(b => b.Label == cls).ToArray();
            gtCounts[img] = gts.Length;
            totalGt += gts.Length;
            var dets = (predictions[img] ?? []).Where(b => b.Label == cls).Select((b, i) => (Box: b, Index: i))
                .OrderByDescending(d => d.Box.Score).ThenBy(d => d.Index).Select(d => d.Box).ToArray();
            if (dets.Length == 0) continue;
            var ious = gts.Length == 0 ? new float[0] : BoxGeometry.IouMatrix(BoxGeometry.ToCorners(dets), BoxGeometry.ToCorners(gts));
            for (int d = 0; d < dets.Length; d++)
                detections.Add(new Detection(img, d, dets[d].Score, ious.AsSpan(d * gts.Length, gts.Length).ToArray()));
        }
        // Global order: decreasing score; ties keep image order, then in-image order (a stable sort, as COCO's mergesort).
        var sorted = detections.Select((d, i) => (d, i)).OrderByDescending(x => x.d.Score).ThenBy(x => x.i).Select(x => x.d).ToArray();
        double voc = AveragePrecision.AllPoint(MatchVoc(sorted, gtCounts), totalGt);
        var capped = sorted.Where(d => d.RankInImage < maxPerImage).ToArray();
        var coco = new double[CocoIouThresholds.Count];
        for (int t = 0; t < coco.Length; t++)
            coco[t] = AveragePrecision.CocoInterpolated(MatchCoco(capped, gtCounts, CocoIouThresholds[t]), totalGt);
        return new ClassAveragePrecision(cls, name, totalGt, detections.Count, voc, coco.Average(), coco[0], coco[5]);
    }

    private static bool[] MatchVoc(Detection[] sorted, int[] gtCounts)
    {
        var taken = gtCounts.Select(n => new bool[n]).ToArray();
        var tp = new bool[sorted.Length];
        for (int k = 0; k < sorted.Length; k++)
        {
            var d = sorted[k];
            int best = -1;
            float bestIou = float.NegativeInfinity;
            for (int g = 0; g < d.Ious.Length; g++)
            {
                if (d.Ious[g] > bestIou)
                {
                    bestIou = d.Ious[g];
                    best = g;
                }
            }
            if (best >= 0 && bestIou > 0.5f && !taken[d.Image][best])
            {
                taken[d.Image][best] = true;
                tp[k] = true;
            }
        }
        return tp;
    }

    private static bool[] MatchCoco(Detection[] sorted, int[] gtCounts, double threshold)
    {
        // Within one image the global order keeps the in-image score order, so greedy matching in global order is
        // the same as COCO's per-image matching.
        var taken = gtCounts.Select(n => new bool[n]).ToArray();
        var tp = new bool[sorted.Length];
        double start = Math.Min(threshold, 1 - 1e-10);
        for (int k = 0; k < sorted.Length; k++)
        {
            var d = sorted[k];
            int match = -1;
            double iou = start;
            for (int g = 0; g < d.Ious.Length; g++)
            {
                if (taken[d.Image][g] || d.Ious[g] < iou) continue;
                iou = d.Ious[g];
                match = g;
            }
            if (match >= 0)
            {
                taken[d.Image][match] = true;
                tp[k] = true;
            }
        }
        return tp;
    }
}
