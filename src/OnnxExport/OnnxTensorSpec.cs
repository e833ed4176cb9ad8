using MLNetDeep.Tensors;

namespace MLNetDeep.OnnxExport;

/// <summary>
/// A typed graph input (or output): name, element type, shape with fixed and dynamic axes, and an
/// optional doc string. For inputs, <see cref="Example"/> optionally supplies the tensor used to trace
/// the model (otherwise seeded random floats in [−1, 1), or zeros for int64).
/// </summary>
public sealed class OnnxTensorSpec
{
    /// <summary>Creates the spec.</summary>
    /// <param name="name">Value name in the graph (non-empty).</param>
    /// <param name="dtype">Element type.</param>
    /// <param name="shape">Dimensions: fixed sizes and named dynamic axes.</param>
    /// <param name="docString">Optional description written into the graph.</param>
    public OnnxTensorSpec(string name, DType dtype, IReadOnlyList<OnnxDim> shape, string? docString = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(shape);
        Name = name;
        DType = dtype;
        Shape = shape.ToArray();
        DocString = docString;
    }

    /// <summary>Value name in the graph.</summary>
    public string Name { get; }

    /// <summary>Element type.</summary>
    public DType DType { get; }

    /// <summary>Dimensions.</summary>
    public IReadOnlyList<OnnxDim> Shape { get; }

    /// <summary>Description written into the graph, or null.</summary>
    public string? DocString { get; init; }

    /// <summary>Tensor used to trace the model at export; its shape must match <see cref="Shape"/> on the fixed axes.</summary>
    public Tensor? Example { get; init; }

    /// <summary>A float32 spec.</summary>
    /// <param name="name">Value name.</param>
    /// <param name="shape">Dimensions, e.g. <c>["batch", 4]</c>.</param>
    public static OnnxTensorSpec Float(string name, params OnnxDim[] shape) => new(name, DType.Float32, shape);

    /// <summary>An int64 spec (token ids, lengths).</summary>
    /// <param name="name">Value name.</param>
    /// <param name="shape">Dimensions, e.g. <c>["batch", "sequence"]</c>.</param>
    public static OnnxTensorSpec Int64(string name, params OnnxDim[] shape) => new(name, DType.Int64, shape);

    /// <summary>The sizes used for tracing: fixed sizes, and each dynamic axis's example size (2 where unset).</summary>
    public int[] ExampleShape() => Shape.Select(d => d.IsDynamic ? Math.Max(d.ExampleSize, 2) : d.Size).ToArray();

    /// <summary>
    /// Gives every dynamic axis without an example size one: the size of an equally named axis that has
    /// one, else a size not used by another name (2, 3, 4, …), so every axis name traces at its own size.
    /// </summary>
    /// <param name="specs">The input specs.</param>
    public static IReadOnlyList<OnnxTensorSpec> ResolveExampleSizes(IReadOnlyList<OnnxTensorSpec> specs)
    {
        ArgumentNullException.ThrowIfNull(specs);
        var sizes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var d in specs.SelectMany(s => s.Shape))
            if (d.IsDynamic && d.ExampleSize > 0) sizes.TryAdd(d.Name!, d.ExampleSize);
        int next = 2;
        foreach (var d in specs.SelectMany(s => s.Shape))
        {
            if (!d.IsDynamic || sizes.ContainsKey(d.Name!)) continue;
            while (sizes.ContainsValue(next)) next++;
            sizes[d.Name!] = next;
        }
        return specs.Select(s => new OnnxTensorSpec(s.Name, s.DType,
            s.Shape.Select(d => d.IsDynamic ? OnnxDim.Dynamic(d.Name!, sizes[d.Name!]) : d).ToArray(), s.DocString) { Example = s.Example }).ToList();
    }

    /// <summary>The tracing input: <see cref="Example"/>, or one generated from <paramref name="generator"/>.</summary>
    /// <param name="generator">Random source for float inputs.</param>
    public Tensor MakeExample(Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var shape = ExampleShape();
        if (Example is Tensor e)
        {
            if (e.Rank != shape.Length)
                throw new OnnxExportException($"Example of input '{Name}' has rank {e.Rank}, the spec has rank {shape.Length}.", valueName: Name);
            for (int i = 0; i < shape.Length; i++)
                if (!Shape[i].IsDynamic && e.Size(i) != shape[i])
                    throw new OnnxExportException($"Example of input '{Name}' has size {e.Size(i)} on fixed axis {i}, the spec says {shape[i]}.", valueName: Name);
            if (e.DType != DType)
                throw new OnnxExportException($"Example of input '{Name}' is {e.DType}, the spec says {DType}.", valueName: Name);
            return e;
        }
        return DType == DType.Int64 ? Tensor.Zeros(shape, DType.Int64) : Tensor.Rand(shape, generator, -1, 1, DType);
    }
}
