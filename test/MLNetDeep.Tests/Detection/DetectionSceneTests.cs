using MLNetDeep.Data;
using MLNetDeep.Tensors;
using NUnit.Framework;

namespace MLNetDeep.Tests.Detection;

/// <summary>The scene generator: determinism, bounds, box/mask consistency, the IDataView columns.</summary>
public class DetectionSceneTests
{
    private static DetectionSceneOptions Options(int seed = 7) => new()
    {
        NumberOfImages = 24,
        Seed = seed,
        MinImageSize = 96,
        MaxImageSize = 128,
        MinObjectSize = 20,
        MaxObjectSize = 48,
    };

    [Test]
    public void ScenesAreReproducibleAndIndependentOfReadingOrder()
    {
        var a = new DetectionSceneGenerator(SceneTestData.SyntheticItems(), Options());
        var b = new DetectionSceneGenerator(SceneTestData.SyntheticItems(), Options());
        var first = a.Generate(5);
        for (int i = 0; i < 5; i++) b.Generate(i);
        var again = b.Generate(5);
        Assert.That(again.Image!.ToFloatArray(), Is.EqualTo(first.Image!.ToFloatArray()));
        Assert.That(again.Boxes, Is.EqualTo(first.Boxes));
        var other = new DetectionSceneGenerator(SceneTestData.SyntheticItems(), Options(seed: 8)).Generate(5);
        Assert.That(other.Image!.ToFloatArray(), Is.Not.EqualTo(first.Image!.ToFloatArray()));
    }

    [Test]
    public void ScenesRespectTheOptionsAndMasksMatchBoxes()
    {
        var options = Options();
        var generator = new DetectionSceneGenerator(SceneTestData.SyntheticItems(), options);
        int total = 0;
        for (int i = 0; i < options.NumberOfImages; i++)
        {
            var s = generator.Generate(i);
            Assert.That(s.Width, Is.InRange(96, 128));
            Assert.That(s.Height, Is.InRange(96, 128));
            Assert.That(s.Image!.Shape.ToArray(), Is.EqualTo(new[] { 3, s.Height, s.Width }));
            Assert.That(s.Image.ToFloatArray(), Is.All.InRange(0f, 1f));
            Assert.That(s.Boxes.Length, Is.InRange(1, 6));
            total += s.Boxes.Length;
            foreach (var box in s.Boxes)
            {
                Assert.That(box.Label, Is.InRange(1, 3));
                Assert.That(box.X, Is.GreaterThanOrEqualTo(0));
                Assert.That(box.Y, Is.GreaterThanOrEqualTo(0));
                Assert.That(box.X + box.Width, Is.LessThanOrEqualTo(s.Width));
                Assert.That(box.Y + box.Height, Is.LessThanOrEqualTo(s.Height));
            }
            for (int p = 0; p < s.Boxes.Length; p++)
                for (int q = p + 1; q < s.Boxes.Length; q++)
                    Assert.That(s.Boxes[p].Iou(s.Boxes[q]), Is.LessThanOrEqualTo(options.MaxOverlap + 1e-6f));
            // Every mask pixel of class k lies in a box of class k; the last-pasted object is fully visible in the mask.
            var mask = s.Mask!;
            for (int y = 0; y < s.Height; y++)
            {
                for (int x = 0; x < s.Width; x++)
                {
                    int k = mask[y * s.Width + x];
                    if (k == 0) continue;
                    Assert.That(s.Boxes.Any(b => b.Label == k && x >= b.X && x < b.X + b.Width && y >= b.Y && y < b.Y + b.Height), $"scene {i} pixel ({x},{y}) class {k}");
                }
            }
            var top = s.Boxes[^1];
            Assert.That(MaskPixelsIn(mask, s.Width, top), Is.GreaterThan(0), $"scene {i}: the top object has mask pixels");
        }
        Assert.That(total, Is.GreaterThan(options.NumberOfImages * 2), "several objects per scene on average");
    }

    [Test]
    public void DataViewHasTheDetectionColumnsAndShufflesExactly()
    {
        var ctx = new DeepContext(seed: 1);
        var data = ctx.Data.GenerateDetectionScenes(SceneTestData.SyntheticItems(), Options());
        Assert.That(data.Schema.Select(c => $"{c.Name}:{c.Type}"), Is.EqualTo(new[]
        {
            "Image:Image<3,0,0>", "Width:Int32", "Height:Int32", "Boxes:BoundingBoxes", "Labels:Vector<Key<3>,0>", "Mask:Vector<Int32,0>",
        }));
        Assert.That(data.Schema["Labels"].KeyValues, Is.EqualTo(new[] { "disc", "square", "bar" }));
        Assert.That(data.GetRowCount(), Is.EqualTo(24));
        var generator = new DetectionSceneGenerator(SceneTestData.SyntheticItems(), Options());
        var seen = new List<BoundingBox[]>();
        using (var cursor = data.GetRowCursor(null, new Random(3)))
        {
            while (cursor.MoveNext())
            {
                var boxes = cursor.GetValue<BoundingBox[]>(data.Schema["Boxes"]);
                var labels = cursor.GetValue<uint[]>(data.Schema["Labels"]);
                var mask = cursor.GetValue<int[]>(data.Schema["Mask"]);
                var image = cursor.GetValue<Tensor>(data.Schema["Image"]);
                int w = cursor.GetValue<int>(data.Schema["Width"]), h = cursor.GetValue<int>(data.Schema["Height"]);
                Assert.That(labels, Is.EqualTo(boxes.Select(b => (uint)b.Label)));
                Assert.That(mask, Has.Length.EqualTo(w * h));
                Assert.That(image.Shape.ToArray(), Is.EqualTo(new[] { 3, h, w }));
                seen.Add(boxes);
            }
        }
        var inOrder = Enumerable.Range(0, 24).Select(i => generator.Generate(i).Boxes).ToList();
        Assert.That(seen.Select(s => inOrder.FindIndex(b => b.SequenceEqual(s))).Order(), Is.EqualTo(Enumerable.Range(0, 24)), "a permutation of the rows");
        Assert.That(seen.Select(s => inOrder.FindIndex(b => b.SequenceEqual(s))), Is.Not.EqualTo(Enumerable.Range(0, 24)), "shuffled");
    }

    [Test]
    public void FixedCanvasGivesAFixedImageType()
    {
        var options = Options();
        options.MinImageSize = options.MaxImageSize = 112;
        var data = new DeepContext(seed: 1).Data.GenerateDetectionScenes(SceneTestData.SyntheticItems(), options);
        Assert.That(data.Schema["Image"].Type.ToString(), Is.EqualTo("Image<3,112,112>"));
    }

    [Test]
    public void InconsistentOptionsNameTheOption()
    {
        var options = Options();
        options.MaxObjects = 0;
        options.MinObjects = 2;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new DetectionSceneGenerator(SceneTestData.SyntheticItems(), options));
        Assert.That(e!.ParamName, Is.EqualTo("MaxObjects"));
    }

    [Test]
    public void FashionMnistScenesCarryTheTenClasses()
    {
        string dir = SceneTestData.FashionMnistDirectory();
        var ctx = new DeepContext(seed: 1);
        var options = Options();
        options.NumberOfImages = 8;
        options.FashionMnistDirectory = dir;
        options.UseTestItems = true;
        var data = ctx.Data.GenerateDetectionScenes(options);
        Assert.That(data.Schema["Labels"].KeyValues, Has.Count.EqualTo(10));
        Assert.That(data.Schema["Labels"].KeyValues![9], Is.EqualTo("Ankle boot"));
        var rows = 0;
        using var cursor = data.GetRowCursor([data.Schema["Boxes"], data.Schema["Mask"]]);
        while (cursor.MoveNext())
        {
            var boxes = cursor.GetValue<BoundingBox[]>(data.Schema["Boxes"]);
            Assert.That(boxes, Is.Not.Empty);
            Assert.That(boxes.Select(b => b.Label), Is.All.InRange(1, 10));
            Assert.That(cursor.GetValue<int[]>(data.Schema["Mask"]).Count(v => v != 0), Is.GreaterThan(50));
            rows++;
        }
        Assert.That(rows, Is.EqualTo(8));
    }

    [Test]
    public void EvaluateDetectorOnGeneratedTruthIsPerfect()
    {
        var generator = new DetectionSceneGenerator(SceneTestData.SyntheticItems(), Options());
        var rows = Enumerable.Range(0, 10).Select(i => generator.Generate(i).Boxes)
            .Select(b => new BoxRow { Boxes = b, PredictedBoxes = b.Select(x => x with { Score = 0.9f }).ToArray() }).ToList();
        var ctx = new DeepContext(seed: 1);
        var m = ctx.Vision.EvaluateDetector(ctx.Data.LoadFromEnumerable(rows), classNames: generator.ClassNames);
        Assert.That(m.MeanAveragePrecision50, Is.EqualTo(1.0).Within(1e-12));
        Assert.That(m.CocoMeanAveragePrecision, Is.EqualTo(1.0).Within(1e-12));
        Assert.That(m.PerClass.Select(c => c.Name), Is.SubsetOf(generator.ClassNames));
        Assert.Throws<SchemaMismatchException>(() => ctx.Vision.EvaluateDetector(ctx.Data.LoadFromEnumerable(rows), predictedBoxesColumnName: "Missing"));
    }

    public sealed class BoxRow
    {
        public BoundingBox[] Boxes { get; set; } = [];

        public BoundingBox[] PredictedBoxes { get; set; } = [];
    }

    private static int MaskPixelsIn(int[] mask, int width, BoundingBox box)
    {
        int n = 0;
        for (int y = (int)box.Y; y < box.Y + box.Height; y++)
            for (int x = (int)box.X; x < box.X + box.Width; x++)
                if (mask[y * width + x] == box.Label) n++;
        return n;
    }
}
