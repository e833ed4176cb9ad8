using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MLNetDeep.Data;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;
using MLNetDeep.Tensors.Serialization;

namespace MLNetDeep.Persistence;

/// <summary>
/// The model file: one zip holding <c>manifest.json</c> (format name and version, input schema, and the
/// component tree: name, version, options, tensor entry, children) and one safetensors entry per
/// component that has tensors (<c>tensors/N.safetensors</c>). Saving is atomic (temporary file, then
/// rename); loading validates everything and never runs code named by the file.
/// </summary>
public static class ModelArchive
{
    /// <summary>The <c>format</c> value in the manifest.</summary>
    public const string FormatName = "mlnetdeep.model";

    /// <summary>The manifest version this build writes and reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>Name of the manifest entry.</summary>
    public const string ManifestEntry = "manifest.json";

    /// <summary>Largest entry accepted when reading (guards against zip bombs).</summary>
    public const long MaxEntryBytes = 2L << 30;

    /// <summary>Saves <paramref name="model"/> and the schema it expects to <paramref name="path"/>, atomically.</summary>
    public static void Save(ITransformer model, DataViewSchema inputSchema, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var root = ModelSaveContext.Capture(model); // before touching the disk: a failing Save leaves nothing
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' has no parent folder.", nameof(path));
        Directory.CreateDirectory(dir);
        string temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                using (var zip = new ZipArchive(fs, ZipArchiveMode.Create, leaveOpen: true))
                {
                    int counter = 0;
                    var component = WriteComponent(zip, root, ref counter);
                    var schema = new JsonArray();
                    foreach (var c in inputSchema)
                    {
                        var col = new JsonObject { ["name"] = c.Name, ["type"] = c.Type.ToString() };
                        if (c.KeyValues is not null) col["keyValues"] = new JsonArray(c.KeyValues.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
                        schema.Add(col);
                    }
                    var manifest = new JsonObject
                    {
                        ["format"] = FormatName,
                        ["formatVersion"] = FormatVersion,
                        ["inputSchema"] = schema,
                        ["model"] = component,
                    };
                    var entry = zip.CreateEntry(ManifestEntry, CompressionLevel.Optimal);
                    using var es = entry.Open();
                    es.Write(Encoding.UTF8.GetBytes(manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true })));
                }
                fs.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    private static JsonObject WriteComponent(ZipArchive zip, ModelSaveContext c, ref int counter)
    {
        var node = new JsonObject
        {
            ["component"] = c.ComponentName,
            ["version"] = c.Version,
            ["options"] = JsonNode.Parse(c.Options.ToJsonString()),
        };
        if (c.Tensors.Count > 0)
        {
            string name = $"tensors/{counter++}.safetensors";
            var entry = zip.CreateEntry(name, CompressionLevel.Fastest);
            using (var es = entry.Open()) SafeTensors.Write(es, c.Tensors);
            node["tensors"] = name;
        }
        if (c.Children.Count > 0)
        {
            var children = new JsonArray();
            foreach (var child in c.Children) children.Add(WriteComponent(zip, child, ref counter));
            node["children"] = children;
        }
        return node;
    }

    /// <summary>Loads a model saved by <see cref="Save"/>.</summary>
    /// <param name="path">The model file.</param>
    /// <param name="inputSchema">The schema the model expects.</param>
    /// <exception cref="ModelFormatException">The file is not a valid model file; the message names the entry.</exception>
    public static ITransformer Load(string path, out DataViewSchema inputSchema)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Model file '{path}' does not exist.", path);
        ZipArchive zip;
        var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try { zip = new ZipArchive(fs, ZipArchiveMode.Read); }
        catch (InvalidDataException e)
        {
            fs.Dispose();
            throw new ModelFormatException(path, null, "not a readable zip archive (truncated or corrupt).", e);
        }
        using (zip)
        {
            try
            {
                var manifest = ReadManifest(zip, path);
                inputSchema = ReadSchema(manifest, path);
                var model = manifest["model"] as JsonObject ?? throw new ModelFormatException(path, $"{ManifestEntry}:model", "missing or not an object.");
                return ReadComponent(zip, path, model, $"{ManifestEntry}:model");
            }
            catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
            {
                throw new ModelFormatException(path, null, $"corrupt zip archive: {e.Message}", e);
            }
        }
    }

    private static byte[] ReadEntry(ZipArchive zip, string path, string name)
    {
        var entry = zip.GetEntry(name) ?? throw new ModelFormatException(path, name, "missing from the archive.");
        if (entry.Length > MaxEntryBytes) throw new ModelFormatException(path, name, $"{entry.Length} bytes, over the {MaxEntryBytes}-byte limit.");
        try
        {
            using var s = entry.Open();
            using var ms = new MemoryStream((int)Math.Min(entry.Length, 1 << 20)); // the declared length may lie: grow as bytes arrive
            s.CopyTo(ms);
            if (ms.Length != entry.Length) throw new ModelFormatException(path, name, $"holds {ms.Length} bytes, the archive says {entry.Length}.");
            return ms.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new ModelFormatException(path, name, "corrupt compressed data.", e);
        }
    }

    private static JsonObject ReadManifest(ZipArchive zip, string path)
    {
        byte[] bytes = ReadEntry(zip, path, ManifestEntry);
        JsonObject manifest;
        try { manifest = JsonNode.Parse(bytes) as JsonObject ?? throw new ModelFormatException(path, ManifestEntry, "not a JSON object."); }
        catch (JsonException e) { throw new ModelFormatException(path, ManifestEntry, "invalid JSON.", e); }
        if (manifest["format"] is not JsonValue f || !f.TryGetValue(out string? format) || format != FormatName)
            throw new ModelFormatException(path, $"{ManifestEntry}:format", $"expected \"{FormatName}\".");
        if (manifest["formatVersion"] is not JsonValue v || !v.TryGetValue(out int version))
            throw new ModelFormatException(path, $"{ManifestEntry}:formatVersion", "missing or not an integer.");
        if (version != FormatVersion)
            throw new ModelFormatException(path, $"{ManifestEntry}:formatVersion", $"version {version} is not supported (this build reads version {FormatVersion}).");
        return manifest;
    }

    private static DataViewSchema ReadSchema(JsonObject manifest, string path)
    {
        string where = $"{ManifestEntry}:inputSchema";
        if (manifest["inputSchema"] is not JsonArray arr) throw new ModelFormatException(path, where, "missing or not an array.");
        var cols = new List<(string, DataViewType, IReadOnlyList<string>?)>();
        try
        {
            for (int i = 0; i < arr.Count; i++)
            {
                var c = arr[i] as JsonObject ?? throw new FormatException("not an object");
                string name = c["name"]!.GetValue<string>();
                var type = DataViewType.Parse(c["type"]!.GetValue<string>());
                IReadOnlyList<string>? keys = c["keyValues"] is JsonArray k ? k.Select(x => x!.GetValue<string>()).ToArray() : null;
                cols.Add((name, type, keys));
            }
            return new DataViewSchema(cols);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or NullReferenceException or ArgumentException)
        {
            throw new ModelFormatException(path, where, $"invalid column definition: {e.Message}", e);
        }
    }

    private static ITransformer ReadComponent(ZipArchive zip, string path, JsonObject node, string where)
    {
        string name, version;
        try
        {
            name = node["component"]!.GetValue<string>();
            version = node["version"]!.GetValue<int>().ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is InvalidOperationException or NullReferenceException or FormatException)
        {
            throw new ModelFormatException(path, where, "needs a string 'component' and an integer 'version'.", e);
        }
        if (!ComponentRegistry.TryGet(name, out var loader))
            throw new ModelFormatException(path, where, $"unknown component '{name}' (registered: {string.Join(", ", ComponentRegistry.Names)}); register its loader with ComponentRegistry.Register.");
        var options = node["options"] as JsonObject ?? [];
        IReadOnlyDictionary<string, Tensor> tensors = new Dictionary<string, Tensor>();
        if (node["tensors"] is JsonValue tv && tv.TryGetValue(out string? entryName))
        {
            byte[] bytes = ReadEntry(zip, path, entryName);
            try { tensors = SafeTensors.Read(new MemoryStream(bytes), entryName).Tensors; }
            catch (SafeTensorsFormatException e) { throw new ModelFormatException(path, entryName, e.Message, e); }
        }
        var children = new List<ITransformer>();
        if (node["children"] is JsonArray kids)
            for (int i = 0; i < kids.Count; i++)
                children.Add(ReadComponent(zip, path, kids[i] as JsonObject ?? throw new ModelFormatException(path, $"{where}.children[{i}]", "not an object."), $"{where}.children[{i}]"));
        var ctx = new ModelLoadContext(path, where, name, int.Parse(version, System.Globalization.CultureInfo.InvariantCulture), options, tensors, children);
        try { return loader(ctx); }
        catch (Exception e) when (e is not ModelFormatException and (ArgumentException or InvalidOperationException or FormatException or StateDictException))
        {
            throw new ModelFormatException(path, where, $"{name} rejected its saved state: {e.Message}", e);
        }
    }
}
