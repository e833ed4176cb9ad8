using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace MLNetDeep.Data;

/// <summary>
/// Reads a folder of Pascal VOC XML annotations (<c>&lt;annotation&gt;</c> with <c>filename</c>, <c>size</c> and
/// <c>object</c>s of <c>name</c>, <c>difficult</c>, <c>bndbox</c>). VOC corners are 1-based inclusive pixels, so a box
/// <c>xmin..xmax</c> becomes x = xmin − 1, width = xmax − xmin + 1. Errors name the file, line and element.
/// </summary>
internal static class PascalVocLoader
{
    public static (IReadOnlyList<AnnotatedImage> Images, IReadOnlyList<string> ClassNames) Load(string annotationsDirectory, string? imagesDirectory,
        IReadOnlyList<string>? classNames, bool includeDifficult)
    {
        ArgumentException.ThrowIfNullOrEmpty(annotationsDirectory);
        if (!Directory.Exists(annotationsDirectory))
            throw new DirectoryNotFoundException($"Annotation directory '{annotationsDirectory}' does not exist.");
        imagesDirectory ??= DefaultImagesDirectory(annotationsDirectory);
        var files = Directory.GetFiles(annotationsDirectory, "*.xml").Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0) throw new DataLoadException(annotationsDirectory, 0, "the directory holds no .xml annotation files.");
        var parsed = files.Select(f => Parse(f, includeDifficult)).ToList();
        var names = classNames ?? parsed.SelectMany(p => p.Objects.Select(o => o.Name)).Distinct().Order(StringComparer.Ordinal).ToArray();
        var keyOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < names.Count; i++) keyOf[names[i]] = i + 1;
        var images = new List<AnnotatedImage>(parsed.Count);
        foreach (var p in parsed)
        {
            var boxes = p.Objects.Select(o => keyOf.TryGetValue(o.Name, out int key)
                ? o.Box with { Label = key }
                : throw new DataLoadException(p.Path, o.Line, $"object class '{o.Name}' is not among the given class names ({string.Join(", ", names)}).")).ToArray();
            string image = Path.Combine(imagesDirectory, p.FileName);
            if (!File.Exists(image)) throw new DataLoadException(p.Path, 0, $"<filename> '{p.FileName}': image '{image}' does not exist.");
            images.Add(new AnnotatedImage(image, p.Width, p.Height, boxes, p.Path));
        }
        return (images, names);
    }

    private static string DefaultImagesDirectory(string annotationsDirectory)
    {
        string sibling = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(annotationsDirectory).TrimEnd(Path.DirectorySeparatorChar)) ?? ".", "JPEGImages");
        return Directory.Exists(sibling) ? sibling : annotationsDirectory;
    }

    private sealed record VocObject(string Name, BoundingBox Box, int Line);

    private sealed record VocFile(string Path, string FileName, int Width, int Height, List<VocObject> Objects);

    private static VocFile Parse(string path, bool includeDifficult)
    {
        XDocument doc;
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };
        try
        {
            using var reader = XmlReader.Create(path, settings);
            doc = XDocument.Load(reader, LoadOptions.SetLineInfo);
        }
        catch (XmlException e)
        {
            throw new DataLoadException(path, e.LineNumber, $"not well-formed XML: {e.Message}", e);
        }
        var root = doc.Root;
        if (root is null || root.Name.LocalName != "annotation")
            throw new DataLoadException(path, Line(root), $"the root element is <{root?.Name.LocalName}>, not <annotation>.");
        string fileName = Text(path, root, "filename");
        var size = Child(path, root, "size");
        int width = Number(path, size, "width"), height = Number(path, size, "height");
        if (width <= 0 || height <= 0) throw new DataLoadException(path, Line(size), $"<size> {width}x{height} is not a positive size.");
        var objects = new List<VocObject>();
        foreach (var obj in root.Elements("object"))
        {
            string name = Text(path, obj, "name");
            if (!includeDifficult && obj.Element("difficult") is { } d && d.Value.Trim() == "1") continue;
            var box = Child(path, obj, "bndbox");
            float xmin = Float(path, box, "xmin"), ymin = Float(path, box, "ymin"), xmax = Float(path, box, "xmax"), ymax = Float(path, box, "ymax");
            if (xmax < xmin || ymax < ymin)
                throw new DataLoadException(path, Line(box), $"object '{name}': <bndbox> has xmax < xmin or ymax < ymin ({xmin}, {ymin}, {xmax}, {ymax}).");
            objects.Add(new VocObject(name, new BoundingBox(xmin - 1, ymin - 1, xmax - xmin + 1, ymax - ymin + 1, 0), Line(obj)));
        }
        return new VocFile(path, fileName, width, height, objects);
    }

    private static int Line(XElement? e) => e is IXmlLineInfo info && info.HasLineInfo() ? info.LineNumber : 0;

    private static XElement Child(string path, XElement parent, string name) =>
        parent.Element(name) ?? throw new DataLoadException(path, Line(parent), $"<{parent.Name.LocalName}> has no <{name}> element.");

    private static string Text(string path, XElement parent, string name)
    {
        var e = Child(path, parent, name);
        string v = e.Value.Trim();
        return v.Length > 0 ? v : throw new DataLoadException(path, Line(e), $"<{name}> is empty.");
    }

    private static float Float(string path, XElement parent, string name)
    {
        var e = Child(path, parent, name);
        return float.TryParse(e.Value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out float v) && float.IsFinite(v)
            ? v
            : throw new DataLoadException(path, Line(e), $"<{parent.Name.LocalName}><{name}> '{e.Value.Trim()}' is not a number.");
    }

    private static int Number(string path, XElement parent, string name)
    {
        var e = Child(path, parent, name);
        return int.TryParse(e.Value.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)
            ? v
            : throw new DataLoadException(path, Line(e), $"<{parent.Name.LocalName}><{name}> '{e.Value.Trim()}' is not an integer.");
    }
}
