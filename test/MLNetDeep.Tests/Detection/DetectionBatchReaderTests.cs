using MLNetDeep.Data;
using MLNetDeep.Estimators.Vision.Detection;
using MLNetDeep.Tensors;
using NUnit.Framework;

namespace MLNetDeep.Tests.Detection;

public class DetectionBatchReaderTests
{
    private static IDataView Scenes(int minSize, int maxSize) => new DeepContext(seed: 1).Data.GenerateDetectionScenes(SceneTestData.SyntheticItems(),
        new DetectionSceneOptions { NumberOfImages = 5, Seed = 3, MinImageSize = minSize, MaxImageSize = maxSize, MinObjectSize = 16, MaxObjectSize = 32 });

    [Test]
    public void BatchesResizeImagesAndScaleBoxesAndMasks()
    {
        var data = Scenes(96, 128);
        var rows = data.CreateEnumerable<SceneRow>().ToList();
        var batches = new DetectionBatchReader(64, maskColumnName: "Mask").Read(data, batchSize: 2).ToList();
        Assert.That(batches.Select(b => b.Images.Shape[0]), Is.EqualTo(new[] { 2, 2, 1 }));
        Assert.That(batches[0].Images.Shape.ToArray(), Is.EqualTo(new[] { 2, 3, 64, 64 }));
        Assert.That(batches[0].Masks!.Shape.ToArray(), Is.EqualTo(new[] { 2, 64, 64 }));
        Assert.That(batches[0].Masks!.DType, Is.EqualTo(DType.Int64));
        var row = rows[2];
        var batch = batches[1];
        Assert.That(batch.SourceSizes[0], Is.EqualTo((row.Width, row.Height)));
        var b0 = row.Boxes[0];
        float sx = 64f / row.Width, sy = 64f / row.Height;
        Assert.That(batch.Boxes[0].Take(4), Is.EqualTo(new[] { b0.X * sx, b0.Y * sy, (b0.X + b0.Width) * sx, (b0.Y + b0.Height) * sy }).Within(1e-4f));
        Assert.That(batch.Labels[0], Is.EqualTo(row.Boxes.Select(b => b.Label)));
        // The resized mask holds only classes of the source mask, and the mean colour is kept by bilinear resizing.
        var mask = batch.Masks!.ToArray<long>().Take(64 * 64).ToArray();
        Assert.That(mask.Distinct(), Is.SubsetOf(row.Mask.Distinct().Select(v => (long)v)));
        float meanSource = row.Image.ToFloatArray().Average(), meanResized = batch.Images.ToFloatArray().Take(3 * 64 * 64).Average();
        Assert.That(meanResized, Is.EqualTo(meanSource).Within(0.02f));
    }

    [Test]
    public void SameSizeIsLeftAsIs()
    {
        var data = Scenes(64, 64);
        var row = data.CreateEnumerable<SceneRow>().First();
        var batch = new DetectionBatchReader(64, maskColumnName: "Mask").Read(data, batchSize: 8).Single();
        Assert.That(batch.Images.ToFloatArray().Take(3 * 64 * 64), Is.EqualTo(row.Image.ToFloatArray()));
        Assert.That(batch.Masks!.ToArray<long>().Take(64 * 64), Is.EqualTo(row.Mask.Select(v => (long)v)));
    }

    [TestCase(37, 53, 64)]
    [TestCase(150, 97, 64)]
    [TestCase(128, 160, 128)]
    [TestCase(1, 5, 8)]
    public void BilinearResizeEqualsInterpolate(int height, int width, int size)
    {
        // The direct separable resize of the reader against the engine's F.Interpolate (itself checked against PyTorch).
        var image = Tensor.Rand([3, height, width], new Generator(7));
        var expected = F.Interpolate(image.Unsqueeze(0), [size, size], mode: "bilinear", alignCorners: false).Squeeze(0).ToArray<float>();
        var actual = DetectionBatchReader.ResizeImage(image, size);
        Assert.That(actual.Shape.ToArray(), Is.EqualTo(new[] { 3, size, size }));
        Assert.That(actual.ToArray<float>(), Is.EqualTo(expected).Within(1e-6f));
    }

    [Test]
    public void ResizeOfAViewReadsItsElements()
    {
        var image = Tensor.Rand([3, 40, 30], new Generator(3));
        var view = image.Transpose(1, 2);
        Assert.That(DetectionBatchReader.ResizeImage(view, 16).ToArray<float>(),
            Is.EqualTo(DetectionBatchReader.ResizeImage(view.Contiguous(), 16).ToArray<float>()));
    }

    [Test]
    public void NearestMaskResizeSamplesPixelCentres() =>
        Assert.That(DetectionBatchReader.ResizeMask([1, 2, 3, 4], 2, 2, 4), Is.EqualTo(new[] { 1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4 }));

    [Test]
    public void WrongColumnTypesAreNamed()
    {
        var data = Scenes(64, 64);
        var e = Assert.Throws<SchemaMismatchException>(() => new DetectionBatchReader(64, boxesColumnName: "Labels").Read(data, 2));
        Assert.That(e!.ColumnName, Is.EqualTo("Labels"));
    }

    public sealed class SceneRow
    {
        [ImageType(3, 0, 0)]
        public Tensor Image { get; set; } = null!;

        public int Width { get; set; }

        public int Height { get; set; }

        public BoundingBox[] Boxes { get; set; } = [];

        public int[] Mask { get; set; } = [];
    }
}
