using System.Globalization;
using System.Text;

namespace MLNetDeep.Estimators.Vision.Detection;

/// <summary>Average precision of one class.</summary>
/// <param name="ClassId">The class id (the boxes' <c>Label</c>).</param>
/// <param name="Name">The class name (the id as text when no names were given).</param>
/// <param name="GroundTruthCount">Ground-truth boxes of the class.</param>
/// <param name="DetectionCount">Predicted boxes of the class (before the per-image COCO cap).</param>
/// <param name="VocAveragePrecision50">Pascal VOC AP at IoU &gt; 0.5, all-point interpolation.</param>
/// <param name="CocoAveragePrecision">COCO AP averaged over IoU 0.50:0.05:0.95, 101-point interpolation.</param>
/// <param name="CocoAveragePrecision50">COCO AP at IoU ≥ 0.50.</param>
/// <param name="CocoAveragePrecision75">COCO AP at IoU ≥ 0.75.</param>
public sealed record ClassAveragePrecision(int ClassId, string Name, int GroundTruthCount, int DetectionCount,
    double VocAveragePrecision50, double CocoAveragePrecision, double CocoAveragePrecision50, double CocoAveragePrecision75);

/// <summary>
/// Figures that tell finding objects apart from naming them (they are not part of the VOC or COCO protocols).
/// </summary>
/// <param name="ClassAgnosticAveragePrecision50">VOC AP@0.5 with every box taken as one class: how well objects are found
/// and placed whatever their class. A second box of another class on the same object counts as a false positive.</param>
/// <param name="FoundFraction">The fraction of ground-truth boxes that some detection (any class, any score) overlaps with IoU &gt; 0.5.</param>
/// <param name="TopClassAccuracy">Among those found boxes, the fraction whose highest-scoring overlapping detection has the right class.</param>
public sealed record DetectionDiagnostics(double ClassAgnosticAveragePrecision50, double FoundFraction, double TopClassAccuracy);

/// <summary>
/// Object-detection quality: Pascal VOC mAP@0.5 (all-point interpolation) and COCO mAP@[.5:.95] (101-point
/// interpolation, at most <see cref="MaxDetectionsPerImage"/> detections per image and class), each the mean over
/// the classes that have ground truth.
/// </summary>
public sealed class DetectionMetrics
{
    internal DetectionMetrics(IReadOnlyList<ClassAveragePrecision> perClass, int images, int maxDetectionsPerImage, DetectionDiagnostics diagnostics)
    {
        Diagnostics = diagnostics;
        PerClass = perClass;
        ImageCount = images;
        MaxDetectionsPerImage = maxDetectionsPerImage;
        MeanAveragePrecision50 = Mean(perClass, c => c.VocAveragePrecision50);
        CocoMeanAveragePrecision = Mean(perClass, c => c.CocoAveragePrecision);
        CocoMeanAveragePrecision50 = Mean(perClass, c => c.CocoAveragePrecision50);
        CocoMeanAveragePrecision75 = Mean(perClass, c => c.CocoAveragePrecision75);
    }

    /// <summary>Pascal VOC mAP at IoU 0.5 (all-point interpolation, as the VOC2010+ devkit).</summary>
    public double MeanAveragePrecision50 { get; }

    /// <summary>COCO mAP averaged over IoU thresholds 0.50, 0.55, …, 0.95.</summary>
    public double CocoMeanAveragePrecision { get; }

    /// <summary>COCO mAP at IoU 0.50 (101-point interpolation).</summary>
    public double CocoMeanAveragePrecision50 { get; }

    /// <summary>COCO mAP at IoU 0.75.</summary>
    public double CocoMeanAveragePrecision75 { get; }

    /// <summary>Per-class figures, by class id (classes with ground truth only).</summary>
    public IReadOnlyList<ClassAveragePrecision> PerClass { get; }

    /// <summary>Class-agnostic AP, the fraction of objects found and how often the best box on a found object names its class.</summary>
    public DetectionDiagnostics Diagnostics { get; }

    /// <summary>Number of images evaluated.</summary>
    public int ImageCount { get; }

    /// <summary>The COCO per-image, per-class detection cap used.</summary>
    public int MaxDetectionsPerImage { get; }

    /// <summary>A short table: the means, then one line per class.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"mAP@0.5 (VOC) = {MeanAveragePrecision50:F4}, mAP@[.5:.95] (COCO) = {CocoMeanAveragePrecision:F4}, ");
        sb.Append(CultureInfo.InvariantCulture, $"AP50 = {CocoMeanAveragePrecision50:F4}, AP75 = {CocoMeanAveragePrecision75:F4} over {ImageCount} images\n");
        var d = Diagnostics;
        sb.Append(CultureInfo.InvariantCulture, $"class-agnostic AP50 = {d.ClassAgnosticAveragePrecision50:F4}; objects found (IoU > 0.5, any class) = {d.FoundFraction:F4}, ");
        sb.Append(CultureInfo.InvariantCulture, $"best box of the right class on {d.TopClassAccuracy:F4} of them\n");
        foreach (var c in PerClass)
            sb.Append(CultureInfo.InvariantCulture, $"  {c.Name,-14} gt={c.GroundTruthCount,5} det={c.DetectionCount,6} AP50(VOC)={c.VocAveragePrecision50:F4} AP(COCO)={c.CocoAveragePrecision:F4}\n");
        return sb.ToString();
    }

    private static double Mean(IReadOnlyList<ClassAveragePrecision> perClass, Func<ClassAveragePrecision, double> value) =>
        perClass.Count == 0 ? double.NaN : perClass.Average(value);
}
