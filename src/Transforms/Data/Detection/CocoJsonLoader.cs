using System.Text.Json;

namespace MLNetDeep.Data;

/// <summary>
/// Reads COCO object-detection annotations: <c>images</c> (<c>id</c>, <c>file_name</c>, <c>width</c>, <c>height</c>),
/// <c>categories</c> (<c>id</c>, <c>name</c>) and <c>annotations</c> (<c>image_id</c>, <c>category_id</c>,
/// <c>bbox</c> = [x, y, width, height] in pixels, optional <c>iscrowd</c>). Categories become key ids 1..K in
/// increasing category id; rows follow the order of <c>images</c>. Errors name the file and the JSON path.
/// </summary>
internal static class CocoJsonLoader
{
    public static (IReadOnlyList<AnnotatedImage> Images, IReadOnlyList<string> ClassNames) Load(string annotationFile, string? imagesDirectory, bool includeCrowd)
    {
        ArgumentException.ThrowIfNullOrEmpty(annotationFile);
        if (!File.Exists(annotationFile)) throw new FileNotFoundException($"COCO annotation file '{annotationFile}' does not exist.", annotationFile);
        imagesDirectory ??= Path.GetDirectoryName(Path.GetFullPath(annotationFile)) ?? ".";
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllBytes(annotationFile));
        }
        catch (JsonException e)
        {
            throw new DataLoadException(annotationFile, (e.LineNumber ?? -1) + 1, $"not valid JSON: {e.Message}", e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new DataLoadException(annotationFile, 0, "the top level is not a JSON object.");
            var categories = Array(annotationFile, root, "categories")
                .Select((c, i) => (Id: Int64(annotationFile, c, $"categories[{i}]", "id"), Name: String(annotationFile, c, $"categories[{i}]", "name")))
                .OrderBy(c => c.Id).ToArray();
            var keyOf = new Dictionary<long, int>();
            for (int i = 0; i < categories.Length; i++)
                if (!keyOf.TryAdd(categories[i].Id, i + 1)) throw new DataLoadException(annotationFile, 0, $"categories: id {categories[i].Id} appears twice.");
            var images = new List<(long Id, string File, int Width, int Height)>();
            var rowOf = new Dictionary<long, int>();
            int index = 0;
            foreach (var img in Array(annotationFile, root, "images"))
            {
                string at = $"images[{index++}]";
                long id = Int64(annotationFile, img, at, "id");
                int width = (int)Int64(annotationFile, img, at, "width"), height = (int)Int64(annotationFile, img, at, "height");
                if (width <= 0 || height <= 0) throw new DataLoadException(annotationFile, 0, $"{at}: size {width}x{height} is not positive.");
                if (!rowOf.TryAdd(id, images.Count)) throw new DataLoadException(annotationFile, 0, $"{at}.id: image id {id} appears twice.");
                images.Add((id, String(annotationFile, img, at, "file_name"), width, height));
            }
            var boxes = images.Select(_ => new List<BoundingBox>()).ToArray();
            index = 0;
            foreach (var ann in Array(annotationFile, root, "annotations"))
            {
                string at = $"annotations[{index++}]";
                if (!includeCrowd && ann.TryGetProperty("iscrowd", out var crowd) && crowd.ValueKind == JsonValueKind.Number && crowd.GetDouble() != 0) continue;
                long imageId = Int64(annotationFile, ann, at, "image_id"), categoryId = Int64(annotationFile, ann, at, "category_id");
                if (!rowOf.TryGetValue(imageId, out int row)) throw new DataLoadException(annotationFile, 0, $"{at}.image_id: no image has id {imageId}.");
                if (!keyOf.TryGetValue(categoryId, out int key)) throw new DataLoadException(annotationFile, 0, $"{at}.category_id: no category has id {categoryId}.");
                if (!ann.TryGetProperty("bbox", out var bbox) || bbox.ValueKind != JsonValueKind.Array || bbox.GetArrayLength() != 4
                    || bbox.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.Number))
                    throw new DataLoadException(annotationFile, 0, $"{at}.bbox: expected [x, y, width, height] (4 numbers).");
                var v = bbox.EnumerateArray().Select(e => e.GetSingle()).ToArray();
                if (v[2] < 0 || v[3] < 0) throw new DataLoadException(annotationFile, 0, $"{at}.bbox: negative width or height ({v[2]}, {v[3]}).");
                boxes[row].Add(new BoundingBox(v[0], v[1], v[2], v[3], key));
            }
            var result = new List<AnnotatedImage>(images.Count);
            for (int i = 0; i < images.Count; i++)
            {
                string path = Path.Combine(imagesDirectory, images[i].File);
                if (!File.Exists(path)) throw new DataLoadException(annotationFile, 0, $"images[{i}].file_name '{images[i].File}': image '{path}' does not exist.");
                result.Add(new AnnotatedImage(path, images[i].Width, images[i].Height, [.. boxes[i]], $"{annotationFile} (images[{i}])"));
            }
            return (result, categories.Select(c => c.Name).ToArray());
        }
    }

    private static IEnumerable<JsonElement> Array(string file, JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var a) || a.ValueKind != JsonValueKind.Array)
            throw new DataLoadException(file, 0, $"'{name}': expected an array at the top level.");
        return a.EnumerateArray();
    }

    private static long Int64(string file, JsonElement e, string at, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long n)
            ? n
            : throw new DataLoadException(file, 0, $"{at}.{name}: expected an integer.");

    private static string String(string file, JsonElement e, string at, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s
            ? s
            : throw new DataLoadException(file, 0, $"{at}.{name}: expected a non-empty string.");
}
