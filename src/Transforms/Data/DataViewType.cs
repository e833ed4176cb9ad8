using System.Globalization;
using MLNetDeep.Tensors;

namespace MLNetDeep.Data;

/// <summary>
/// The type of a column in an <see cref="IDataView"/>. Each type has one .NET representation
/// (<see cref="RawType"/>) that cursors return: <c>float</c>, <c>double</c>, <c>int</c>, <c>long</c>,
/// <c>bool</c>, <c>string</c> (text), <c>uint</c> (keys), arrays of those (vectors), <see cref="Tensor"/>
/// (images) and <see cref="BoundingBox"/>[] (boxes). Types are immutable and compare by value.
/// </summary>
public abstract class DataViewType : IEquatable<DataViewType>
{
    /// <summary>The .NET type of a value of this column type.</summary>
    public abstract Type RawType { get; }

    /// <summary>Whether two types are the same.</summary>
    public abstract bool Equals(DataViewType? other);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is DataViewType t && Equals(t);

    /// <inheritdoc/>
    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);

    /// <summary>
    /// A compact, parseable name: <c>Single</c>, <c>Double</c>, <c>Int32</c>, <c>Int64</c>, <c>Boolean</c>,
    /// <c>Text</c>, <c>Key&lt;N&gt;</c>, <c>Vector&lt;Item,N&gt;</c> (N = 0: variable size), <c>Image&lt;C,H,W&gt;</c>,
    /// <c>BoundingBoxes</c>. <see cref="Parse"/> reads it back.
    /// </summary>
    public abstract override string ToString();

    /// <summary>Parses a name written by <see cref="ToString"/>; used when loading saved schemas (no reflection).</summary>
    /// <exception cref="FormatException">The name is not a known type.</exception>
    public static DataViewType Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        switch (name)
        {
            case "Single": return NumberDataViewType.Single;
            case "Double": return NumberDataViewType.Double;
            case "Int32": return NumberDataViewType.Int32;
            case "Int64": return NumberDataViewType.Int64;
            case "Boolean": return BooleanDataViewType.Instance;
            case "Text": return TextDataViewType.Instance;
            case "BoundingBoxes": return BoundingBoxDataViewType.Instance;
        }
        if (name.StartsWith("Key<", StringComparison.Ordinal) && name.EndsWith('>'))
            return new KeyDataViewType(ulong.Parse(name[4..^1], CultureInfo.InvariantCulture));
        if (name.StartsWith("Image<", StringComparison.Ordinal) && name.EndsWith('>'))
        {
            var p = name[6..^1].Split(',');
            if (p.Length == 3)
                return new ImageDataViewType(Int(p[0]), Int(p[1]), Int(p[2]));
        }
        if (name.StartsWith("Vector<", StringComparison.Ordinal) && name.EndsWith('>'))
        {
            string inner = name[7..^1];
            int comma = inner.LastIndexOf(',');
            if (comma > 0 && Parse(inner[..comma]) is PrimitiveDataViewType item)
                return new VectorDataViewType(item, Int(inner[(comma + 1)..]));
        }
        throw new FormatException($"'{name}' is not a known column type.");
    }

    private static int Int(string s) => int.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture);
}

/// <summary>A type whose values are single items (numbers, booleans, text, keys); these can be vector items.</summary>
public abstract class PrimitiveDataViewType : DataViewType
{
}

/// <summary>Numeric scalars: <see cref="Single"/> (<c>float</c>), <see cref="Double"/>, <see cref="Int32"/>, <see cref="Int64"/>.</summary>
public sealed class NumberDataViewType : PrimitiveDataViewType
{
    private readonly string _name;

    private NumberDataViewType(Type raw, string name)
    {
        RawType = raw;
        _name = name;
    }

    /// <summary>32-bit float.</summary>
    public static NumberDataViewType Single { get; } = new(typeof(float), "Single");

    /// <summary>64-bit float.</summary>
    public static NumberDataViewType Double { get; } = new(typeof(double), "Double");

    /// <summary>32-bit signed integer.</summary>
    public static NumberDataViewType Int32 { get; } = new(typeof(int), "Int32");

    /// <summary>64-bit signed integer.</summary>
    public static NumberDataViewType Int64 { get; } = new(typeof(long), "Int64");

    /// <inheritdoc/>
    public override Type RawType { get; }

    /// <inheritdoc/>
    public override bool Equals(DataViewType? other) => ReferenceEquals(this, other);

    /// <inheritdoc/>
    public override string ToString() => _name;
}

/// <summary>Booleans (<c>bool</c>).</summary>
public sealed class BooleanDataViewType : PrimitiveDataViewType
{
    private BooleanDataViewType() { }

    /// <summary>The single instance.</summary>
    public static BooleanDataViewType Instance { get; } = new();

    /// <inheritdoc/>
    public override Type RawType => typeof(bool);

    /// <inheritdoc/>
    public override bool Equals(DataViewType? other) => other is BooleanDataViewType;

    /// <inheritdoc/>
    public override string ToString() => "Boolean";
}

/// <summary>Text (<c>string</c>; null reads as empty).</summary>
public sealed class TextDataViewType : PrimitiveDataViewType
{
    private TextDataViewType() { }

    /// <summary>The single instance.</summary>
    public static TextDataViewType Instance { get; } = new();

    /// <inheritdoc/>
    public override Type RawType => typeof(string);

    /// <inheritdoc/>
    public override bool Equals(DataViewType? other) => other is TextDataViewType;

    /// <inheritdoc/>
    public override string ToString() => "Text";
}

/// <summary>
/// Key (categorical id) values as <c>uint</c>, as in ML.NET: 1..<see cref="Count"/> are valid ids and 0 means
/// missing. The names of the keys travel with the column (<see cref="DataViewSchema.Column.KeyValues"/>).
/// </summary>
public sealed class KeyDataViewType : PrimitiveDataViewType
{
    /// <summary>Creates a key type.</summary>
    /// <param name="count">Number of distinct keys; 0 in an estimator's output schema means "known after fitting".</param>
    public KeyDataViewType(ulong count) => Count = count;

    /// <summary>Number of distinct keys (0: not known before fitting).</summary>
    public ulong Count { get; }

    /// <inheritdoc/>
    public override Type RawType => typeof(uint);

    /// <inheritdoc/>
    public override bool Equals(DataViewType? other) => other is KeyDataViewType k && k.Count == Count;

    /// <inheritdoc/>
    public override string ToString() => $"Key<{Count.ToString(CultureInfo.InvariantCulture)}>";
}

/// <summary>A vector of primitive items as a .NET array (<c>float[]</c>, <c>string[]</c>, <c>uint[]</c>…), fixed or variable length.</summary>
public sealed class VectorDataViewType : DataViewType
{
    /// <summary>Creates a vector type.</summary>
    /// <param name="itemType">The item type.</param>
    /// <param name="size">Fixed length, or 0 for variable length.</param>
    public VectorDataViewType(PrimitiveDataViewType itemType, int size = 0)
    {
        ArgumentNullException.ThrowIfNull(itemType);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ItemType = itemType;
        Size = size;
    }

    /// <summary>The item type.</summary>
    public PrimitiveDataViewType ItemType { get; }

    /// <summary>Fixed length, or 0 when the length varies by row.</summary>
    public int Size { get; }

    /// <summary>Whether every row has <see cref="Size"/> items.</summary>
    public bool IsKnownSize => Size > 0;

    /// <inheritdoc/>
    public override Type RawType => ItemType.RawType.MakeArrayType();

    /// <inheritdoc/>
    public override bool Equals(DataViewType? other) => other is VectorDataViewType v && v.Size == Size && v.ItemType.Equals(ItemType);

    /// <inheritdoc/>
    public override string ToString() => $"Vector<{ItemType},{Size.ToString(CultureInfo.InvariantCulture)}>";
}

/// <summary>
/// Images as float tensors of shape [Channels, Height, Width] (values usually in [0, 1]). A height and width of 0
/// mean the size varies by row (<c>Image&lt;3,0,0&gt;</c>, e.g. a folder of photos); each tensor has its own shape.
/// </summary>
public sealed class ImageDataViewType : DataViewType
{
    /// <summary>Creates an image type.</summary>
    /// <param name="channels">Number of channels.</param>
    /// <param name="height">Height, or 0 (with <paramref name="width"/> 0) when it varies by row.</param>
    /// <param name="width">Width, or 0 (with <paramref name="height"/> 0) when it varies by row.</param>
    public ImageDataViewType(int channels, int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        if ((height == 0) != (width == 0)) throw new ArgumentException($"Height {height} and width {width}: both are fixed or both are 0 (variable).", nameof(height));
        (Channels, Height, Width) = (channels, height, width);
    }

    /// <summary>Whether every row has <see cref="Height"/> × <see cref="Width"/> pixels (false: the size varies).</summary>
    public bool IsKnownSize => Height > 0;

    /// <summary>Number of channels.</summary>
    public int Channels { get; }

    /// <summary>Height in pixels (0: varies by row).</summary>
    public int Height { get; }

    /// <summary>Width in pixels (0: varies by row).</summary>
    public int Width { get; }

    /// <inheritdoc/>
    public override Type RawType => typeof(Tensor);

    /// <inheritdoc/>
    public override bool Equals(DataViewType? other) => other is ImageDataViewType i && (i.Channels, i.Height, i.Width) == (Channels, Height, Width);

    /// <inheritdoc/>
    public override string ToString() => FormattableString.Invariant($"Image<{Channels},{Height},{Width}>");
}

/// <summary>An axis-aligned box in pixels with a class label and a score (1 for ground truth).</summary>
/// <param name="X">Left edge.</param>
/// <param name="Y">Top edge.</param>
/// <param name="Width">Width.</param>
/// <param name="Height">Height.</param>
/// <param name="Label">Class id.</param>
/// <param name="Score">Confidence.</param>
public readonly record struct BoundingBox(float X, float Y, float Width, float Height, int Label, float Score = 1f);

/// <summary>A variable number of <see cref="BoundingBox"/> per row (<c>BoundingBox[]</c>).</summary>
public sealed class BoundingBoxDataViewType : DataViewType
{
    private BoundingBoxDataViewType() { }

    /// <summary>The single instance.</summary>
    public static BoundingBoxDataViewType Instance { get; } = new();

    /// <inheritdoc/>
    public override Type RawType => typeof(BoundingBox[]);

    /// <inheritdoc/>
    public override bool Equals(DataViewType? other) => other is BoundingBoxDataViewType;

    /// <inheritdoc/>
    public override string ToString() => "BoundingBoxes";
}
