namespace MLNetDeep.Data;

/// <summary>Names the column a property or field maps to (default: the member name).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ColumnNameAttribute(string name) : Attribute
{
    /// <summary>The column name.</summary>
    public string Name { get; } = name;
}

/// <summary>Marks an array member as a fixed-size vector column (without it, vectors are variable-size).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class VectorTypeAttribute(int size) : Attribute
{
    /// <summary>The vector length.</summary>
    public int Size { get; } = size;
}

/// <summary>Marks a <c>uint</c> or <c>uint[]</c> member as key ids in 1..<see cref="Count"/> (0 = missing).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class KeyTypeAttribute(ulong count) : Attribute
{
    /// <summary>Number of keys.</summary>
    public ulong Count { get; } = count;
}

/// <summary>Marks a <see cref="MLNetDeep.Tensors.Tensor"/> member as an image column of shape [channels, height, width].</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ImageTypeAttribute(int channels, int height, int width) : Attribute
{
    /// <summary>The image type.</summary>
    public ImageDataViewType Type { get; } = new(channels, height, width);
}

/// <summary>Source field (zero-based) of a member when a delimited file is loaded into this type; a range makes a vector.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class LoadColumnAttribute : Attribute
{
    /// <summary>One field.</summary>
    public LoadColumnAttribute(int index) => (Start, End) = (index, index);

    /// <summary>Fields <paramref name="start"/>..<paramref name="end"/> (inclusive) as a vector.</summary>
    public LoadColumnAttribute(int start, int end) => (Start, End) = (start, end);

    /// <summary>First field.</summary>
    public int Start { get; }

    /// <summary>Last field (inclusive).</summary>
    public int End { get; }
}

/// <summary>Excludes a public member from the columns.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class NoColumnAttribute : Attribute
{
}
