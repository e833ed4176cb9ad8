using System.Text.Json.Nodes;
using MLNetDeep.Tensors;

namespace MLNetDeep.Persistence;

/// <summary>
/// What one component writes when saved: its registry name and version, JSON options (plain values only)
/// and named tensors (stored in safetensors layout), plus child components (chains).
/// </summary>
public sealed class ModelSaveContext
{
    internal ModelSaveContext() { }

    /// <summary>The registry name set by <see cref="SetComponent"/>.</summary>
    public string? ComponentName { get; private set; }

    /// <summary>The format version of this component's options.</summary>
    public int Version { get; private set; }

    /// <summary>Options: JSON values only (numbers, strings, booleans, arrays, objects).</summary>
    public JsonObject Options { get; } = [];

    internal Dictionary<string, Tensor> Tensors { get; } = new(StringComparer.Ordinal);

    internal List<ModelSaveContext> Children { get; } = [];

    /// <summary>Names the component (as registered in <see cref="ComponentRegistry"/>) and its version.</summary>
    public void SetComponent(string name, int version)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(version);
        ComponentName = name;
        Version = version;
    }

    /// <summary>Adds a tensor (its values are copied at save time).</summary>
    public void AddTensor(string name, Tensor tensor)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(tensor);
        if (!Tensors.TryAdd(name, tensor)) throw new ArgumentException($"Tensor '{name}' was added twice.", nameof(name));
    }

    /// <summary>Saves <paramref name="child"/> as a nested component.</summary>
    public void AddChild(ITransformer child)
    {
        ArgumentNullException.ThrowIfNull(child);
        Children.Add(Capture(child));
    }

    internal static ModelSaveContext Capture(ITransformer transformer)
    {
        var ctx = new ModelSaveContext();
        transformer.Save(ctx);
        if (ctx.ComponentName is null)
            throw new InvalidOperationException($"{transformer.GetType().Name}.Save did not call SetComponent.");
        return ctx;
    }
}
