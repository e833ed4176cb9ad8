using MLNetDeep.Data;
using MLNetDeep.Tensors;
using NUnit.Framework;

namespace MLNetDeep.Tests.Detection;

/// <summary>Pascal VOC XML and COCO JSON loaders: columns, box conventions, typed errors naming file and field.</summary>
public class AnnotationLoaderTests
{
    private string _dir = null!;

    [SetUp]
    public void CreateFolder()
    {
        _dir = Path.Combine(Path.GetTempPath(), "mlnetdeep-annotations-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(_dir, "JPEGImages"));
        Directory.CreateDirectory(Path.Combine(_dir, "Annotations"));
        ImageCodec.SavePng(Tensor.Full([3, 30, 40], 0.5f), Path.Combine(_dir, "JPEGImages", "a.png"));
        ImageCodec.SavePng(Tensor.Full([3, 20, 10], 0.25f), Path.Combine(_dir, "JPEGImages", "b.png"));
    }

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_dir, recursive: true);

    private static string Voc(string file, int width, int height, params (string Name, string Box, int Difficult)[] objects) =>
        $"<annotation><folder>x</folder><filename>{file}</filename><size><width>{width}</width><height>{height}</height><depth>3</depth></size>"
        + string.Concat(objects.Select(o => $"<object><name>{o.Name}</name><difficult>{o.Difficult}</difficult><bndbox>{o.Box}</bndbox></object>"))
        + "</annotation>";

    private static string Corners(int xmin, int ymin, int xmax, int ymax) => $"<xmin>{xmin}</xmin><ymin>{ymin}</ymin><xmax>{xmax}</xmax><ymax>{ymax}</ymax>";

    private void WriteVoc(string name, string xml) => File.WriteAllText(Path.Combine(_dir, "Annotations", name), xml);

    [Test]
    public void PascalVocFolderLoadsBoxesClassesAndImages()
    {
        WriteVoc("a.xml", Voc("a.png", 40, 30, ("dog", Corners(1, 1, 10, 20), 0), ("cat", Corners(5, 6, 15, 16), 0), ("cat", Corners(2, 2, 3, 3), 1)));
        WriteVoc("b.xml", Voc("b.png", 10, 20, ("cat", Corners(2, 3, 8, 9), 0)));
        var data = new DeepContext(seed: 1).Data.LoadPascalVoc(Path.Combine(_dir, "Annotations"));
        Assert.That(data.Schema.Select(c => $"{c.Name}:{c.Type}"), Is.EqualTo(new[]
        {
            "Image:Image<3,0,0>", "Width:Int32", "Height:Int32", "Boxes:BoundingBoxes", "Labels:Vector<Key<2>,0>", "ImagePath:Text",
        }));
        Assert.That(data.Schema["Labels"].KeyValues, Is.EqualTo(new[] { "cat", "dog" }));
        using var cursor = data.GetRowCursor();
        Assert.That(cursor.MoveNext(), Is.True);
        // 1-based inclusive corners 1..10 → x 0, width 10; the difficult cat is left out.
        Assert.That(cursor.GetValue<BoundingBox[]>(data.Schema["Boxes"]), Is.EqualTo(new[] { new BoundingBox(0, 0, 10, 20, 2), new BoundingBox(4, 5, 11, 11, 1) }));
        Assert.That(cursor.GetValue<uint[]>(data.Schema["Labels"]), Is.EqualTo(new uint[] { 2, 1 }));
        var image = cursor.GetValue<Tensor>(data.Schema["Image"]);
        Assert.That(image.Shape.ToArray(), Is.EqualTo(new[] { 3, 30, 40 }));
        Assert.That(image.ToFloatArray()[0], Is.EqualTo(128 / 255f).Within(1e-6f));
        Assert.That(cursor.MoveNext(), Is.True);
        Assert.That(cursor.GetValue<int>(data.Schema["Width"]), Is.EqualTo(10));
        Assert.That(cursor.GetValue<string>(data.Schema["ImagePath"]), Does.EndWith("b.png"));
        Assert.That(cursor.MoveNext(), Is.False);
    }

    [Test]
    public void PascalVocErrorsNameFileAndElement()
    {
        WriteVoc("a.xml", Voc("a.png", 40, 30, ("dog", "<xmin>1</xmin><ymin>1</ymin><xmax>ten</xmax><ymax>5</ymax>", 0)));
        var ctx = new DeepContext(seed: 1);
        var e = Assert.Throws<DataLoadException>(() => ctx.Data.LoadPascalVoc(Path.Combine(_dir, "Annotations")));
        Assert.That(e!.Path, Does.EndWith("a.xml"));
        Assert.That(e.Message, Does.Contain("<xmax>").And.Contain("ten"));

        WriteVoc("a.xml", "<annotation><filename>a.png</filename></annotation>");
        e = Assert.Throws<DataLoadException>(() => ctx.Data.LoadPascalVoc(Path.Combine(_dir, "Annotations")));
        Assert.That(e!.Message, Does.Contain("<size>"));

        WriteVoc("a.xml", Voc("missing.png", 40, 30, ("dog", Corners(1, 1, 5, 5), 0)));
        e = Assert.Throws<DataLoadException>(() => ctx.Data.LoadPascalVoc(Path.Combine(_dir, "Annotations")));
        Assert.That(e!.Message, Does.Contain("missing.png"));

        WriteVoc("a.xml", Voc("a.png", 40, 30, ("horse", Corners(1, 1, 5, 5), 0)));
        e = Assert.Throws<DataLoadException>(() => ctx.Data.LoadPascalVoc(Path.Combine(_dir, "Annotations"), classNames: ["cat", "dog"]));
        Assert.That(e!.Message, Does.Contain("'horse'"));
        Assert.That(e.Line, Is.GreaterThan(0));
    }

    [Test]
    public void DeclaredSizeMustMatchTheImage()
    {
        WriteVoc("a.xml", Voc("a.png", 41, 30, ("dog", Corners(1, 1, 5, 5), 0)));
        var data = new DeepContext(seed: 1).Data.LoadPascalVoc(Path.Combine(_dir, "Annotations"));
        using var cursor = data.GetRowCursor();
        cursor.MoveNext();
        var e = Assert.Throws<DataLoadException>(() => cursor.GetValue(0));
        Assert.That(e!.Message, Does.Contain("41x30"));
    }

    private string WriteCoco(string annotations)
    {
        string path = Path.Combine(_dir, "JPEGImages", "instances.json");
        File.WriteAllText(path, """
            { "images": [ { "id": 7, "file_name": "a.png", "width": 40, "height": 30 }, { "id": 3, "file_name": "b.png", "width": 10, "height": 20 } ],
              "categories": [ { "id": 18, "name": "dog" }, { "id": 17, "name": "cat" } ],
              "annotations": 
            """ + annotations + "}");
        return path;
    }

    [Test]
    public void CocoJsonLoadsBoxesInImageOrderWithCategoriesAsKeys()
    {
        string path = WriteCoco("""
            [ { "id": 1, "image_id": 3, "category_id": 17, "bbox": [1, 2, 3, 4], "iscrowd": 0 },
              { "id": 2, "image_id": 7, "category_id": 18, "bbox": [5.5, 6, 7, 8] },
              { "id": 3, "image_id": 7, "category_id": 17, "bbox": [0, 0, 40, 30], "iscrowd": 1 } ]
            """);
        var data = new DeepContext(seed: 1).Data.LoadCocoJson(path);
        Assert.That(data.Schema["Labels"].KeyValues, Is.EqualTo(new[] { "cat", "dog" }));
        var boxes = data.GetColumn<BoundingBox[]>("Boxes");
        Assert.That(boxes[0], Is.EqualTo(new[] { new BoundingBox(5.5f, 6, 7, 8, 2) }), "crowd annotation skipped");
        Assert.That(boxes[1], Is.EqualTo(new[] { new BoundingBox(1, 2, 3, 4, 1) }));
        using var cursor = data.GetRowCursor([data.Schema["Image"]]);
        cursor.MoveNext();
        Assert.That(cursor.GetValue<Tensor>(data.Schema["Image"]).Shape.ToArray(), Is.EqualTo(new[] { 3, 30, 40 }));
    }

    [Test]
    public void CocoErrorsNameTheJsonPath()
    {
        var ctx = new DeepContext(seed: 1);
        var e = Assert.Throws<DataLoadException>(() => ctx.Data.LoadCocoJson(WriteCoco("""[ { "image_id": 3, "category_id": 17, "bbox": [1, 2, 3] } ]""")));
        Assert.That(e!.Message, Does.Contain("annotations[0].bbox"));
        e = Assert.Throws<DataLoadException>(() => ctx.Data.LoadCocoJson(WriteCoco("""[ { "image_id": 4, "category_id": 17, "bbox": [1, 2, 3, 4] } ]""")));
        Assert.That(e!.Message, Does.Contain("annotations[0].image_id").And.Contain("4"));
        e = Assert.Throws<DataLoadException>(() => ctx.Data.LoadCocoJson(WriteCoco("""[ { "image_id": 3, "category_id": 99, "bbox": [1, 2, 3, 4] } ]""")));
        Assert.That(e!.Message, Does.Contain("category_id"));
        e = Assert.Throws<DataLoadException>(() => ctx.Data.LoadCocoJson(WriteCoco("[ {")));
        Assert.That(e!.Message, Does.Contain("not valid JSON"));
    }
}
