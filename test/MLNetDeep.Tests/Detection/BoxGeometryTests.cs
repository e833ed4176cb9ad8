using MLNetDeep.Estimators.Vision.Detection;
using NUnit.Framework;

namespace MLNetDeep.Tests.Detection;

/// <summary>IoU / GIoU / SSD coding / default boxes on hand-computed cases (the torchvision comparison is in DetectionOracleTests).</summary>
public class BoxGeometryTests
{
    [Test]
    public void IouMatrixOfHandComputedBoxes()
    {
        float[] a = [0, 0, 2, 2, 0, 0, 1, 1];
        float[] b = [1, 1, 3, 3, 0, 0, 2, 2, 5, 5, 6, 6];
        var iou = BoxGeometry.IouMatrix(a, b);
        Assert.That(iou, Is.EqualTo(new[] { 1f / 7f, 1f, 0f, 0f, 0.25f, 0f }).Within(1e-6f));
    }

    [Test]
    public void VectorAndScalarPathsAgreeOnLongRows()
    {
        var rng = new Random(3);
        var a = RandomBoxes(rng, 3);
        var b = RandomBoxes(rng, 37); // several full vectors plus a tail
        var iou = BoxGeometry.IouMatrix(a, b);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 37; j++)
                Assert.That(iou[i * 37 + j], Is.EqualTo(ScalarIou(a.AsSpan(4 * i, 4), b.AsSpan(4 * j, 4))).Within(1e-6f), $"({i},{j})");
    }

    [Test]
    public void GeneralizedIouPenalisesDistance()
    {
        // Disjoint unit squares 1 apart: IoU 0, union 2, enclosing 3x1 = 3 → GIoU = −1/3.
        var g = BoxGeometry.GeneralizedIouMatrix([0, 0, 1, 1], [2, 0, 3, 1, 0, 0, 1, 1]);
        Assert.That(g, Is.EqualTo(new[] { -1f / 3f, 1f }).Within(1e-6f));
    }

    [Test]
    public void EmptyUnionGivesZeroNotNaN()
    {
        var iou = BoxGeometry.IouMatrix([1, 1, 1, 1], [1, 1, 1, 1]);
        Assert.That(iou[0], Is.EqualTo(0f));
    }

    [Test]
    public void PackedBoxesMustHaveFourFloatsEach() =>
        Assert.Throws<ArgumentException>(() => BoxGeometry.IouMatrix([0, 0, 1], [0, 0, 1, 1]));

    [Test]
    public void SsdCoderRoundTripsAndMatchesTheFormula()
    {
        var coder = new SsdBoxCoder();
        float[] priors = [50, 50, 20, 40];
        float[] box = [45, 40, 65, 100]; // centre (55, 70), size 20 x 60
        var offsets = new float[4];
        coder.Encode(box, priors, offsets);
        Assert.That(offsets, Is.EqualTo(new[] { 5f / 20f / 0.1f, 20f / 40f / 0.1f, 0f, MathF.Log(1.5f) / 0.2f }).Within(1e-5f));
        var back = new float[4];
        coder.Decode(offsets, priors, back);
        Assert.That(back, Is.EqualTo(box).Within(1e-4f));
    }

    [Test]
    public void DefaultBoxesCoverEveryCellWithEachRatio()
    {
        var priors = DefaultBoxes.Generate(96, [4, 2], [0.2f, 0.5f], [1f, 2f, 0.5f]);
        Assert.That(priors.Length, Is.EqualTo(4 * (16 + 4) * 4));
        // First cell of the first map: centre (12, 12); ratio 2 box is 0.2·96·√2 wide and 0.2·96/√2 high.
        Assert.That(priors.AsSpan(4, 4).ToArray(), Is.EqualTo(new[] { 12f, 12f, 19.2f * MathF.Sqrt(2), 19.2f / MathF.Sqrt(2) }).Within(1e-4f));
        // Extra square of the last map: √(0.5·1)·96.
        Assert.That(priors[^1], Is.EqualTo(MathF.Sqrt(0.5f) * 96).Within(1e-4f));
    }

    [Test]
    public void SsdTargetsMatchByIouAndForceTheBestPrior()
    {
        // Priors (centre-size): A covers box 1 exactly, B overlaps box 1 by IoU 0.6, C overlaps box 2 only by IoU 1/3.
        float[] priors = [5, 5, 10, 10, 5, 7, 10, 6, 60, 50, 10, 10];
        float[] boxes = [0, 0, 10, 10, 50, 45, 60, 55];
        var assigner = new SsdTargetAssigner(priors, new SsdBoxCoder(), positiveIou: 0.5f);
        var classes = new int[3];
        var offsets = new float[12];
        var matched = new int[3];
        int positives = assigner.Assign(boxes, [4, 9], classes, offsets, matched);
        Assert.That(positives, Is.EqualTo(3));
        Assert.That(matched, Is.EqualTo(new[] { 0, 0, 1 }), "B by IoU ≥ 0.5, C forced as box 2's best prior");
        Assert.That(classes, Is.EqualTo(new[] { 4, 4, 9 }));
        Assert.That(offsets.AsSpan(0, 4).ToArray(), Is.EqualTo(new float[4]).Within(1e-6f), "an exact prior has zero offsets");
        Assert.That(assigner.Assign([], [], classes, offsets), Is.EqualTo(0));
        Assert.That(classes, Is.All.EqualTo(0));
    }

    internal static float[] RandomBoxes(Random rng, int n, float extent = 100)
    {
        var boxes = new float[4 * n];
        for (int i = 0; i < n; i++)
        {
            float x = (float)rng.NextDouble() * extent, y = (float)rng.NextDouble() * extent;
            boxes[4 * i] = x;
            boxes[4 * i + 1] = y;
            boxes[4 * i + 2] = x + 1 + (float)rng.NextDouble() * extent / 2;
            boxes[4 * i + 3] = y + 1 + (float)rng.NextDouble() * extent / 2;
        }
        return boxes;
    }

    private static float ScalarIou(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float iw = Math.Max(0, Math.Min(a[2], b[2]) - Math.Max(a[0], b[0]));
        float ih = Math.Max(0, Math.Min(a[3], b[3]) - Math.Max(a[1], b[1]));
        float inter = iw * ih;
        return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter);
    }
}
