using MLNetDeep.Estimators.Vision.Detection;
using NUnit.Framework;

namespace MLNetDeep.Tests.Detection;

public class NonMaxSuppressionTests
{
    private static readonly float[] Boxes =
    [
        0, 0, 10, 10,   // 0
        1, 0, 11, 10,   // 1: IoU with 0 = 90/110
        0, 0, 10, 10,   // 2: same place as 0, other class
        50, 50, 60, 60, // 3: far away
    ];

    [Test]
    public void SuppressesOverlapsWithinAClassOnly()
    {
        var keep = new NonMaxSuppression(0.5f, 0f, 100).Apply(Boxes, [0.9f, 0.8f, 0.7f, 0.6f], [1, 1, 2, 1]);
        Assert.That(keep, Is.EqualTo(new[] { 0, 2, 3 }));
    }

    [Test]
    public void IouThresholdIsStrict()
    {
        // IoU(0, 1) = 90/110 ≈ 0.818: kept at threshold 0.82, suppressed at 0.81.
        Assert.That(new NonMaxSuppression(0.82f, 0f).Apply(Boxes.AsSpan(0, 8), [0.9f, 0.8f], [1, 1]), Is.EqualTo(new[] { 0, 1 }));
        Assert.That(new NonMaxSuppression(0.81f, 0f).Apply(Boxes.AsSpan(0, 8), [0.9f, 0.8f], [1, 1]), Is.EqualTo(new[] { 0 }));
    }

    [Test]
    public void ScoreThresholdAndCapApply()
    {
        var keep = new NonMaxSuppression(0.5f, 0.65f, 100).Apply(Boxes, [0.6f, 0.8f, 0.7f, 0.9f], [1, 1, 2, 1]);
        Assert.That(keep, Is.EqualTo(new[] { 3, 1, 2 }));
        var capped = new NonMaxSuppression(0.5f, 0f, 2).Apply(Boxes, [0.6f, 0.8f, 0.7f, 0.9f], [1, 1, 2, 1]);
        Assert.That(capped, Is.EqualTo(new[] { 3, 1 }));
    }

    [Test]
    public void EqualScoresKeepTheLowerIndex()
    {
        var keep = new NonMaxSuppression(0.5f, 0f).Apply(Boxes.AsSpan(0, 8), [0.5f, 0.5f], [1, 1]);
        Assert.That(keep, Is.EqualTo(new[] { 0 }));
    }

    [Test]
    public void MismatchedLengthsNameTheArgument()
    {
        var e = Assert.Throws<ArgumentException>(() => new NonMaxSuppression().Apply(Boxes, [0.5f], [1, 1, 1, 1]));
        Assert.That(e!.ParamName, Is.EqualTo("scores"));
    }
}
