using MLNetDeep.Data;
using MLNetDeep.Tensors;
using NUnit.Framework;

namespace MLNetDeep.Tests.Detection;

/// <summary>PNG/JPEG decoding (files written by other software), PNG writing and box drawing.</summary>
public class ImageCodecTests
{
    // A 3x2 RGB PNG written by Python's zlib + struct: red, green, blue / (10,20,30), (40,50,60), white.
    private const string TinyPng = "iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAIAAAASFvFNAAAAGElEQVR4nGP4z8DAAMFcInIaRjb///8HADeHBs1FsDHZAAAAAElFTkSuQmCC";

    // A 16x8 JPEG (quality 95) written by torchvision.io.encode_jpeg (libjpeg): left half (200,100,50), right half (20,40,220).
    private const string TinyJpeg = "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAIBAQEBAQIBAQECAgICAgQDAgICAgUEBAMEBgUGBgYFBgYGBwkIBgcJBwYGCAsICQoKCgoKBggLDAsKDAkKCgr/2wBDAQICAgICAgUDAwUKBwYHCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgr/wAARCAAIABADASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwDPr866KK/ZvoFf81F/3Kf+7R919I//AJlf/cf/ANwn/9k=";

    [Test]
    public void DecodesAPngWrittenElsewhere()
    {
        var image = ImageCodec.Decode(Convert.FromBase64String(TinyPng));
        Assert.That(image.Shape.ToArray(), Is.EqualTo(new[] { 3, 2, 3 }));
        var v = image.ToFloatArray();
        // Channel-major: R plane then G then B.
        Assert.That(v.Take(6).Select(x => (int)MathF.Round(x * 255)), Is.EqualTo(new[] { 255, 0, 0, 10, 40, 255 }));
        Assert.That(v.Skip(6).Take(6).Select(x => (int)MathF.Round(x * 255)), Is.EqualTo(new[] { 0, 255, 0, 20, 50, 255 }));
        Assert.That(v.Skip(12).Select(x => (int)MathF.Round(x * 255)), Is.EqualTo(new[] { 0, 0, 255, 30, 60, 255 }));
    }

    [Test]
    public void DecodesAJpegWrittenByLibjpeg()
    {
        var image = ImageCodec.Decode(Convert.FromBase64String(TinyJpeg));
        Assert.That(image.Shape.ToArray(), Is.EqualTo(new[] { 3, 8, 16 }));
        var v = image.ToFloatArray();
        int plane = 8 * 16;
        int left = 4 * 16 + 2, right = 4 * 16 + 13;
        Assert.That(new[] { v[left], v[plane + left], v[2 * plane + left] }.Select(x => x * 255), Is.EqualTo(new[] { 200f, 100f, 50f }).Within(12f));
        Assert.That(new[] { v[right], v[plane + right], v[2 * plane + right] }.Select(x => x * 255), Is.EqualTo(new[] { 20f, 40f, 220f }).Within(12f));
    }

    [Test]
    public void PngRoundTripsEightBitValues()
    {
        var rng = new Random(2);
        var data = Enumerable.Range(0, 3 * 5 * 7).Select(_ => rng.Next(256) / 255f).ToArray();
        var image = Tensor.FromArray(data, 3, 5, 7);
        var back = ImageCodec.Decode(ImageCodec.EncodePng(image));
        Assert.That(back.ToFloatArray(), Is.EqualTo(data).Within(1e-6f));
    }

    [Test]
    public void SavePngWritesAFileThatLoadsBack()
    {
        string path = Path.Combine(Path.GetTempPath(), "mlnetdeep-codec-" + Guid.NewGuid().ToString("N") + ".png");
        try
        {
            ImageCodec.SavePng(Tensor.FromArray(new float[] { 0, 0.5f, 1, 0.25f }, 1, 2, 2), path);
            var back = ImageCodec.Load(path);
            Assert.That(back.Shape.ToArray(), Is.EqualTo(new[] { 3, 2, 2 }));
            Assert.That(back.ToFloatArray().Take(4).Select(x => (int)MathF.Round(x * 255)), Is.EqualTo(new[] { 0, 128, 255, 64 }));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void GarbageIsATypedErrorNamingTheSource()
    {
        var e = Assert.Throws<DataLoadException>(() => ImageCodec.Decode([1, 2, 3, 4, 5], "photo.png"));
        Assert.That(e!.Path, Is.EqualTo("photo.png"));
    }

    [Test]
    public void DrawBoxesColoursTheOutlineOnly()
    {
        var image = Tensor.Zeros(3, 20, 20);
        var drawn = BoxPainter.DrawBoxes(image, [new BoundingBox(2, 3, 10, 8, 4)], thickness: 1);
        var v = drawn.ToFloatArray();
        var color = BoxPainter.ClassColor(4);
        int plane = 400;
        int corner = 3 * 20 + 2, bottomRight = (3 + 8 - 1) * 20 + 2 + 10 - 1, inside = 6 * 20 + 6, outside = 15 * 20 + 15;
        foreach (int p in new[] { corner, bottomRight })
            Assert.That(new[] { v[p], v[plane + p], v[2 * plane + p] }, Is.EqualTo(new[] { color.R, color.G, color.B }), $"pixel {p}");
        Assert.That(new[] { v[inside], v[outside] }, Is.All.EqualTo(0f));
        Assert.That(image.ToFloatArray(), Is.All.EqualTo(0f), "the input is not modified");
        Assert.That(BoxPainter.ClassColor(1), Is.Not.EqualTo(BoxPainter.ClassColor(2)));
    }
}
