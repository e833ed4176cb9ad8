using MLNetDeep.Data;
using MLNetDeep.Tensors;
using NUnit.Framework;

namespace MLNetDeep.Tests.Detection;

/// <summary><see cref="MaskPainter"/>: blending, colouring and side-by-side panels, on hand-made pixels.</summary>
[TestFixture]
public sealed class MaskPainterTests
{
    [Test]
    public void Overlay_BlendsOnlyObjectPixels_WithTheirClassColour()
    {
        var image = Tensor.FromArray(new float[] { 0.2f, 0.2f, 0.4f, 0.4f, 0.6f, 0.6f }, 3, 1, 2);
        var painted = MaskPainter.Overlay(image, [0, 3], opacity: 0.5f).ToFloatArray();
        var (r, g, b) = BoxPainter.ClassColor(3);
        Assert.That(painted[0], Is.EqualTo(0.2f));
        Assert.That(painted[1], Is.EqualTo(0.2f + 0.5f * (r - 0.2f)).Within(1e-6));
        Assert.That(painted[3], Is.EqualTo(0.4f + 0.5f * (g - 0.4f)).Within(1e-6));
        Assert.That(painted[5], Is.EqualTo(0.6f + 0.5f * (b - 0.6f)).Within(1e-6));
    }

    [Test]
    public void Colorize_And_SideBySide_PlaceEachPanel()
    {
        var mask = MaskPainter.Colorize([1, 0, 0, 2], 2, 2);
        var grey = Tensor.Full([1, 2, 3], 0.5f);
        var both = MaskPainter.SideBySide([grey, mask], gap: 1);
        Assert.That(both.Shape.ToArray(), Is.EqualTo(new[] { 3, 2, 6 }));
        var v = both.ToFloatArray();
        Assert.That(v[0], Is.EqualTo(0.5f));           // grey panel
        Assert.That(v[3], Is.EqualTo(1f));             // white gap
        Assert.That(v[4], Is.EqualTo(BoxPainter.ClassColor(1).R));
        Assert.That(v[6 + 5], Is.EqualTo(BoxPainter.ClassColor(2).R));
        Assert.That(v[5], Is.EqualTo(0f));             // background is black
        Assert.Throws<ArgumentException>(() => MaskPainter.Overlay(grey, [0, 1]));
    }
}
