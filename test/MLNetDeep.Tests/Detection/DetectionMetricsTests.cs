using MLNetDeep.Data;
using MLNetDeep.Estimators.Vision.Detection;
using NUnit.Framework;

namespace MLNetDeep.Tests.Detection;

/// <summary>VOC and COCO AP on cases worked out by hand.</summary>
public class DetectionMetricsTests
{
    private static BoundingBox Box(float x, float y, float w, float h, int label, float score = 1f) => new(x, y, w, h, label, score);

    [Test]
    public void TwoImagesWithAMissAFalsePositiveAndADuplicate()
    {
        // 3 ground truths; by score: TP, TP, FP (nothing there), FP (duplicate of the first) → recall 1/3, 2/3 at precision 1.
        BoundingBox[][] truth = [[Box(0, 0, 10, 10, 1)], [Box(0, 0, 10, 10, 1), Box(20, 20, 10, 10, 1)]];
        BoundingBox[][] predicted =
        [
            [Box(0, 0, 10, 10, 1, 0.9f), Box(0, 0, 10, 10, 1, 0.6f)],
            [Box(20, 20, 10, 10, 1, 0.8f), Box(50, 50, 5, 5, 1, 0.7f)],
        ];
        var m = DetectionEvaluator.Evaluate(truth, predicted);
        // VOC: area under the envelope = 1/3·1 + 1/3·1 + 1/3·0.
        Assert.That(m.MeanAveragePrecision50, Is.EqualTo(2.0 / 3).Within(1e-12));
        // COCO: recall points 0.00..0.66 (67 of 101) reach precision 1, the rest are never reached; the same at every IoU.
        Assert.That(m.CocoMeanAveragePrecision, Is.EqualTo(67.0 / 101).Within(1e-12));
        Assert.That(m.PerClass.Single().GroundTruthCount, Is.EqualTo(3));
        Assert.That(m.PerClass.Single().DetectionCount, Is.EqualTo(4));
    }

    [Test]
    public void DiagnosticsSeparateFindingFromNaming()
    {
        // Image 1: a class-1 object found only by a class-2 box; image 2: a class-2 object found by its class (0.8) and by a
        // class-1 box of a higher score (0.95), plus an object nobody found. Per class: class 1 has one FP (0.95, image 2) and
        // no TP: AP 0; class 2: by score FP (0.9, image 1), TP (0.8): precision 1/2 at recall 1/2: AP 0.25; mAP 0.125.
        BoundingBox[][] truth = [[Box(0, 0, 10, 10, 1)], [Box(0, 0, 10, 10, 2), Box(40, 40, 10, 10, 2)]];
        BoundingBox[][] predicted = [[Box(0, 0, 10, 10, 2, 0.9f)], [Box(0, 0, 10, 10, 2, 0.8f), Box(1, 0, 10, 10, 1, 0.95f)]];
        var m = DetectionEvaluator.Evaluate(truth, predicted);
        Assert.That(m.MeanAveragePrecision50, Is.EqualTo(0.125).Within(1e-12));
        // As one class, by score: TP (0.95, image 2), TP (0.9, image 1), FP (0.8, the duplicate): recall 1/3 and 2/3 at
        // precision 1, never 3/3: AP 2/3.
        Assert.That(m.Diagnostics.ClassAgnosticAveragePrecision50, Is.EqualTo(2.0 / 3).Within(1e-12));
        // Two of three objects found; the best box on each has the wrong class (2 on the class-1 object, 1 on the class-2 one).
        Assert.That(m.Diagnostics.FoundFraction, Is.EqualTo(2.0 / 3).Within(1e-12));
        Assert.That(m.Diagnostics.TopClassAccuracy, Is.EqualTo(0.0));
        Assert.That(m.ToString(), Does.Contain("class-agnostic AP50 = 0.6667"));
        // With the class-1 box removed the class-2 object's best box is right: one of two.
        m = DetectionEvaluator.Evaluate(truth, [predicted[0], [predicted[1][0]]]);
        Assert.That(m.Diagnostics.TopClassAccuracy, Is.EqualTo(0.5).Within(1e-12));
    }

    [Test]
    public void LooseBoxCountsOnlyAtLowIouThresholds()
    {
        // IoU 0.62: a hit at 0.50, 0.55, 0.60 and a miss from 0.65 up.
        var m = DetectionEvaluator.Evaluate([[Box(0, 0, 10, 10, 2)]], [[Box(0, 0, 10, 6.2f, 2, 0.5f)]]);
        var c = m.PerClass.Single();
        Assert.That(c.VocAveragePrecision50, Is.EqualTo(1.0).Within(1e-12));
        Assert.That(c.CocoAveragePrecision50, Is.EqualTo(1.0).Within(1e-12));
        Assert.That(c.CocoAveragePrecision75, Is.EqualTo(0.0));
        Assert.That(c.CocoAveragePrecision, Is.EqualTo(0.3).Within(1e-12));
    }

    [Test]
    public void WrongClassIsAMissAndClassesWithoutTruthAreIgnored()
    {
        BoundingBox[][] truth = [[Box(0, 0, 10, 10, 1), Box(30, 30, 10, 10, 2)]];
        BoundingBox[][] predicted = [[Box(0, 0, 10, 10, 2, 0.9f), Box(30, 30, 10, 10, 2, 0.8f), Box(60, 60, 10, 10, 3, 0.99f)]];
        var m = DetectionEvaluator.Evaluate(truth, predicted, ["shirt", "bag", "boot"]);
        Assert.That(m.PerClass.Select(c => c.Name), Is.EqualTo(new[] { "shirt", "bag" }));
        Assert.That(m.PerClass[0].VocAveragePrecision50, Is.EqualTo(0.0));
        // Class 2: FP (0.9, on the class-1 object) then TP → precision 1/2 at recall 1.
        Assert.That(m.PerClass[1].VocAveragePrecision50, Is.EqualTo(0.5).Within(1e-12));
        Assert.That(m.PerClass[1].CocoAveragePrecision, Is.EqualTo(0.5).Within(1e-12));
        Assert.That(m.MeanAveragePrecision50, Is.EqualTo(0.25).Within(1e-12));
    }

    [Test]
    public void CocoCapsDetectionsPerImage()
    {
        // The true box scores lowest of three; with a cap of 2 it is cut, so COCO AP is 0 while VOC (no cap) finds it.
        BoundingBox[][] truth = [[Box(0, 0, 10, 10, 1)]];
        BoundingBox[][] predicted = [[Box(50, 50, 5, 5, 1, 0.9f), Box(70, 70, 5, 5, 1, 0.8f), Box(0, 0, 10, 10, 1, 0.1f)]];
        var m = DetectionEvaluator.Evaluate(truth, predicted, maxDetectionsPerImage: 2);
        Assert.That(m.CocoMeanAveragePrecision, Is.EqualTo(0.0));
        Assert.That(m.MeanAveragePrecision50, Is.EqualTo(1.0 / 3).Within(1e-12));
    }

    [Test]
    public void PerfectPredictionsScoreOne()
    {
        var rng = new Random(5);
        var truth = Enumerable.Range(0, 20).Select(_ => Enumerable.Range(0, rng.Next(1, 5))
            .Select(_ => Box(rng.Next(0, 100), rng.Next(0, 100), rng.Next(5, 40), rng.Next(5, 40), rng.Next(1, 4))).ToArray()).ToArray();
        var predicted = truth.Select(t => t.Select(b => b with { Score = 0.5f }).ToArray()).ToArray();
        var m = DetectionEvaluator.Evaluate(truth, predicted);
        Assert.That(m.MeanAveragePrecision50, Is.EqualTo(1.0).Within(1e-12));
        Assert.That(m.CocoMeanAveragePrecision, Is.EqualTo(1.0).Within(1e-12));
    }

    [Test]
    public void ImageCountsMustMatch() =>
        Assert.Throws<ArgumentException>(() => DetectionEvaluator.Evaluate([[Box(0, 0, 1, 1, 1)]], []));
}
