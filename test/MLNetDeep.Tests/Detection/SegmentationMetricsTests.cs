using MLNetDeep.Data;
using MLNetDeep.Estimators.Vision.Segmentation;
using NUnit.Framework;

namespace MLNetDeep.Tests.Detection;

public class SegmentationMetricsTests
{
    private sealed class MaskRow
    {
        public int[] Mask { get; set; } = [];

        public int[] PredictedMask { get; set; } = [];
    }

    [Test]
    public void ConfusionMatrixGivesHandComputedFigures()
    {
        var e = new SegmentationEvaluator(3);
        e.Add([0, 0, 1, 1, 2, 2], [0, 1, 1, 1, 2, 0]);
        var m = e.GetMetrics();
        // IoU: class 0 1/3, class 1 2/3, class 2 1/2.
        Assert.That(m.PerClassIou, Is.EqualTo(new[] { 1.0 / 3, 2.0 / 3, 0.5 }).Within(1e-12));
        Assert.That(m.MeanIou, Is.EqualTo(0.5).Within(1e-12));
        Assert.That(m.PixelAccuracy, Is.EqualTo(4.0 / 6).Within(1e-12));
        Assert.That(m.ConfusionMatrix[2, 0], Is.EqualTo(1));
    }

    [Test]
    public void AbsentClassesAreLeftOutOfTheMean()
    {
        var e = new SegmentationEvaluator(4, ignoreLabel: 255);
        e.Add([0, 1, 255], [0, 1, 3]);
        var m = e.GetMetrics();
        Assert.That(double.IsNaN(m.PerClassIou[2]), Is.True);
        Assert.That(m.MeanIou, Is.EqualTo(1.0));
        Assert.That(m.PixelCount, Is.EqualTo(2));
    }

    [Test]
    public void OutOfRangeClassIsRejected()
    {
        var e = new SegmentationEvaluator(2);
        var ex = Assert.Throws<ArgumentException>(() => e.Add([0, 1], [0, 2]));
        Assert.That(ex!.ParamName, Is.EqualTo("predicted"));
    }

    [Test]
    public void CatalogReadsMaskColumns()
    {
        var ctx = new DeepContext(seed: 1);
        var data = ctx.Data.LoadFromEnumerable(new[] { new MaskRow { Mask = [0, 1, 1], PredictedMask = [0, 1, 0] } });
        var m = ctx.Vision.EvaluateSegmenter(data, numberOfClasses: 2);
        Assert.That(m.PixelAccuracy, Is.EqualTo(2.0 / 3).Within(1e-12));
        Assert.Throws<SchemaMismatchException>(() => ctx.Vision.EvaluateSegmenter(data, 2, predictedMaskColumnName: "Nope"));
    }
}
