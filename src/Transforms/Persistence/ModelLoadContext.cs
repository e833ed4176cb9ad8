using System.Text.Json;
using System.Text.Json.Nodes;
using MLNetDeep.Tensors;

namespace MLNetDeep.Persistence;

/// <summary>
/// What a registered loader receives: the saved options, tensors and children of one component. Its
/// accessors throw <see cref="ModelFormatException"/> naming the entry and field when something is
/// missing or has the wrong type.
/// </summary>
public sealed class ModelLoadContext
{
    private readonly JsonObject _options;
    private readonly IReadOnlyDictionary<string, Tensor> _tensors;

    internal ModelLoadContext(string path, string entry, string component, int version, JsonObject options,
        IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyList<ITransformer> children)
    {
        FilePath = path;
        Entry = entry;
        ComponentName = component;
        Version = version;
        _options = options;
        _tensors = tensors;
        Children = children;
    }

    /// <summary>The model file.</summary>
    public string FilePath { get; }

    /// <summary>Where this component sits in the manifest (e.g. <c>manifest.json:transformers[1]</c>).</summary>
    public string Entry { get; }

    /// <summary>Registry name.</summary>
    public string ComponentName { get; }

    /// <summary>Saved version of the component's options.</summary>
    public int Version { get; }

    /// <summary>The loaded child components, in order.</summary>
    public IReadOnlyList<ITransformer> Children { get; }

    /// <summary>A failure naming this component's entry and <paramref name="field"/>.</summary>
    public ModelFormatException Error(string field, string detail, Exception? inner = null) =>
        new(FilePath, $"{Entry}.{field}", detail, inner);

    /// <summary>Rejects versions newer than <paramref name="maxSupported"/>.</summary>
    public void RequireVersion(int maxSupported)
    {
        if (Version < 1 || Version > maxSupported)
            throw new ModelFormatException(FilePath, Entry, $"{ComponentName} version {Version} is not supported (this build reads 1..{maxSupported}).");
    }

    /// <summary>Resolves a path such as <c>a</c>, <c>a.b</c> or <c>a[2].b</c> in the options, or null.</summary>
    private JsonNode? Find(string field)
    {
        JsonNode? node = _options;
        foreach (var part in field.Split('.'))
        {
            int bracket = part.IndexOf('[', StringComparison.Ordinal);
            string name = bracket < 0 ? part : part[..bracket];
            node = node is JsonObject o && o.TryGetPropertyValue(name, out var child) ? child : null;
            while (node is not null && bracket >= 0)
            {
                int close = part.IndexOf(']', bracket);
                if (close < 0 || !int.TryParse(part.AsSpan(bracket + 1, close - bracket - 1), out int index)) return null;
                node = node is JsonArray a && index >= 0 && index < a.Count ? a[index] : null;
                bracket = part.IndexOf('[', close);
            }
            if (node is null) return null;
        }
        return node;
    }

    private JsonNode Node(string field) => Find(field) ?? throw Error(field, "missing.");

    private T Value<T>(string field)
    {
        try { return Node(field).GetValue<T>(); }
        catch (Exception e) when (e is InvalidOperationException or FormatException or JsonException)
        {
            throw Error(field, $"expected a {typeof(T).Name}.", e);
        }
    }

    /// <summary>Whether the option <paramref name="field"/> (a path such as <c>a[0].b</c>) is present and not null.</summary>
    public bool Has(string field) => Find(field) is not null;

    /// <summary>A string option.</summary>
    public string GetString(string field) => Value<string>(field);

    /// <summary>An optional string option.</summary>
    public string? GetStringOrNull(string field) => Find(field) is not null ? Value<string>(field) : null;

    /// <summary>An integer option.</summary>
    public int GetInt(string field) => Value<int>(field);

    /// <summary>A 64-bit integer option.</summary>
    public long GetLong(string field) => Value<long>(field);

    /// <summary>A floating-point option.</summary>
    public double GetDouble(string field) => Value<double>(field);

    /// <summary>A boolean option.</summary>
    public bool GetBool(string field) => Value<bool>(field);

    /// <summary>An array of strings.</summary>
    public string[] GetStringArray(string field)
    {
        if (Node(field) is not JsonArray arr) throw Error(field, "expected an array of strings.");
        var result = new string[arr.Count];
        for (int i = 0; i < arr.Count; i++)
        {
            try { result[i] = arr[i]!.GetValue<string>(); }
            catch (Exception e) when (e is InvalidOperationException or NullReferenceException or FormatException)
            {
                throw Error($"{field}[{i}]", "expected a string.", e);
            }
        }
        return result;
    }

    /// <summary>A saved tensor, checked for dtype and shape when <paramref name="dtype"/>/<paramref name="shape"/> are given.</summary>
    public Tensor GetTensor(string name, DType? dtype = null, int[]? shape = null)
    {
        if (!_tensors.TryGetValue(name, out var t)) throw Error($"tensors[{name}]", "missing.");
        if (dtype is { } d && t.DType != d) throw Error($"tensors[{name}]", $"has dtype {t.DType}, expected {d}.");
        if (shape is not null && !t.Shape.SequenceEqual(shape))
            throw Error($"tensors[{name}]", $"has shape [{string.Join(", ", t.Shape.ToArray())}], expected [{string.Join(", ", shape)}].");
        return t;
    }

    /// <summary>All saved tensors.</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors => _tensors;
}
