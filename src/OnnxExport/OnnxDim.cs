using System.Globalization;

namespace MLNetDeep.OnnxExport;

/// <summary>
/// One dimension of a graph input or output: a fixed size, or a symbolic (dynamic) axis such as
/// <c>"batch"</c> or <c>"sequence"</c> written as ONNX <c>dim_param</c>. Converts implicitly from
/// <see cref="int"/> (fixed) and <see cref="string"/> (dynamic), so shapes read <c>["batch", 4]</c>.
/// </summary>
public readonly record struct OnnxDim
{
    private OnnxDim(int size, string? name, int exampleSize)
    {
        Size = size;
        Name = name;
        ExampleSize = exampleSize;
    }

    /// <summary>The fixed size (−1 for a dynamic axis).</summary>
    public int Size { get; }

    /// <summary>The symbolic name of a dynamic axis, or null for a fixed one.</summary>
    public string? Name { get; }

    /// <summary>For a dynamic axis: the size used when tracing the model at export (≥ 1), or 0 to let the exporter pick distinct sizes per axis name.</summary>
    public int ExampleSize { get; }

    /// <summary>True for a symbolic axis.</summary>
    public bool IsDynamic => Name is not null;

    /// <summary>A fixed dimension.</summary>
    /// <param name="size">The size (≥ 0).</param>
    public static OnnxDim Fixed(int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        return new OnnxDim(size, null, size);
    }

    /// <summary>A dynamic axis.</summary>
    /// <param name="name">Its symbolic name (non-empty); axes sharing a name must have equal sizes at run time.</param>
    /// <param name="exampleSize">The size used while tracing the model at export; 0 (default) lets the exporter
    /// choose, giving differently named axes different sizes (2, 3, 4, …) so output axes can be attributed.</param>
    public static OnnxDim Dynamic(string name, int exampleSize = 0)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfNegative(exampleSize);
        return new OnnxDim(-1, name, exampleSize);
    }

    /// <summary>A fixed dimension of <paramref name="size"/>.</summary>
    public static implicit operator OnnxDim(int size) => Fixed(size);

    /// <summary>A dynamic axis named <paramref name="name"/>.</summary>
    public static implicit operator OnnxDim(string name) => Dynamic(name);

    /// <inheritdoc/>
    public override string ToString() => Name ?? Size.ToString(CultureInfo.InvariantCulture);
}
