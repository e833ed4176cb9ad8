using MLNetDeep.Data;

namespace MLNetDeep.Onnx.Scoring;

/// <summary>
/// How one model input or output maps to a column: the ONNX element type (float32 or int64), whether the
/// first axis is the batch axis, and the per-row shape (the remaining axes; null entries are variable).
/// </summary>
internal sealed record OnnxColumnBinding(string Name, OnnxElementType ElementType, bool Batched, int?[] RowShape)
{
    /// <summary>True when the batch axis is fixed at 1, so rows run one at a time.</summary>
    public bool SingleRow { get; init; }

    /// <summary>Elements per row when every row axis is fixed, otherwise 0 (variable).</summary>
    public int FixedRowSize => RowShape.All(d => d is not null) ? RowShape.Aggregate(1, (a, d) => a * d!.Value) : 0;

    /// <summary>The column type produced for a model output.</summary>
    public VectorDataViewType OutputType => new(ElementType == OnnxElementType.Float ? NumberDataViewType.Single : NumberDataViewType.Int64, FixedRowSize);

    /// <summary>
    /// Binds a model value: float/int64 only; axis 0 is the batch axis when it is dynamic or fixed at 1;
    /// <paramref name="overrideShape"/> (from the shape dictionary, -1 or 0 = dynamic) replaces the model's shape.
    /// </summary>
    public static OnnxColumnBinding From(OnnxValueInfo info, int[]? overrideShape, string what)
    {
        var type = info.ElementType ?? OnnxElementType.Float;
        if (type is not (OnnxElementType.Float or OnnxElementType.Int64))
            throw new OnnxScoringException(info.Name, $"ApplyOnnxModel: model {what} '{info.Name}' is {type}; only float32 and int64 tensors map to columns.");
        long?[] dims = overrideShape is not null
            ? overrideShape.Select(d => d > 0 ? (long?)d : null).ToArray()
            : info.Shape ?? [null, null];
        if (dims.Length == 0) return new(info.Name, type, false, []);
        bool batched = dims[0] is null or 1;
        var row = (batched ? dims.Skip(1) : dims).Select(d => d is long v ? (int?)checked((int)v) : null).ToArray();
        return new(info.Name, type, batched, row) { SingleRow = dims[0] == 1 };
    }

    /// <summary>Checks that <paramref name="column"/> can feed this model input; returns the problem, or null.</summary>
    public string? Incompatibility(DataViewSchema.Column column)
    {
        var item = column.Type is VectorDataViewType v ? v.ItemType : column.Type as PrimitiveDataViewType;
        int size = column.Type is VectorDataViewType vv ? vv.Size : 1;
        bool ok = ElementType == OnnxElementType.Float
            ? item is NumberDataViewType n && n.RawType == typeof(float)
            : item is KeyDataViewType || (item is NumberDataViewType m && (m.RawType == typeof(long) || m.RawType == typeof(int)));
        string want = ElementType == OnnxElementType.Float ? "Single or Vector<Single>" : "Int64, Int32, Key or a vector of them";
        if (!ok) return $"column '{column.Name}' is {column.Type}, model input '{Name}' is {ElementType} (needs {want}).";
        int fixedSize = FixedRowSize;
        if (fixedSize > 0 && size > 0 && size != fixedSize)
            return $"column '{column.Name}' has {size} values per row, model input '{Name}' takes {fixedSize} ([{string.Join(",", RowShape.Select(d => d?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"))}]).";
        if (RowShape.Count(d => d is null) > 1)
            return $"model input '{Name}' has more than one variable axis besides the batch axis; give its shape with shapeDictionary.";
        return null;
    }
}

/// <summary>A column does not fit a model input or output of an ONNX model applied to data.</summary>
public sealed class OnnxScoringException : OnnxException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="name">The column or model value at fault.</param>
    /// <param name="message">What is wrong.</param>
    public OnnxScoringException(string name, string message) : base(message) => Name = name;

    /// <summary>The column or model value at fault.</summary>
    public string Name { get; }
}
