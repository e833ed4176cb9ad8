using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MLNetDeep.Tests.Oracles;

/// <summary>
/// A tensor as exchanged with the PyTorch oracle: shape, dtype name and flat row-major data.
/// Values of every dtype are kept as doubles (exact for float32, and for int64 up to 2^53).
/// JSON: <c>{"shape":[..],"dtype":"float32"|"float64"|"int64","data":[..]}</c>, non-finite values as
/// the strings "NaN", "Infinity", "-Infinity"; <c>"requires_grad":false</c> is written when <see cref="RequiresGrad"/> is false.
/// </summary>
public sealed class OracleTensor
{
    public const string Float32 = "float32";
    public const string Float64 = "float64";
    public const string Int64 = "int64";

    public OracleTensor(int[] shape, string dtype, double[] data, bool requiresGrad = true)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        if (dtype is not (Float32 or Float64 or Int64))
            throw new ArgumentException($"Unsupported dtype '{dtype}' (float32, float64 or int64).", nameof(dtype));
        long numel = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"Negative dimension in shape [{string.Join(",", shape)}].", nameof(shape));
            numel *= d;
        }
        if (numel != data.Length)
            throw new ArgumentException($"Shape [{string.Join(",", shape)}] needs {numel} values, got {data.Length}.", nameof(data));
        Shape = shape;
        DType = dtype;
        Data = data;
        RequiresGrad = requiresGrad;
    }

    /// <summary>Dimensions; empty for a 0-dim (scalar) tensor.</summary>
    public int[] Shape { get; }

    /// <summary>"float32", "float64" or "int64".</summary>
    public string DType { get; }

    /// <summary>Flat row-major values.</summary>
    public double[] Data { get; }

    /// <summary>For float inputs: whether the oracle makes it require grad (default true). Ignored for int64.</summary>
    public bool RequiresGrad { get; }

    /// <summary>Number of elements.</summary>
    public int Length => Data.Length;

    /// <summary>A float32 tensor; an empty <paramref name="shape"/> means 0-dim (needs exactly one value).</summary>
    public static OracleTensor F32(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        var d = new double[data.Length];
        for (int i = 0; i < d.Length; i++) d[i] = data[i];
        return new OracleTensor(shape, Float32, d);
    }

    /// <summary>A float64 tensor; an empty <paramref name="shape"/> means 0-dim (needs exactly one value).</summary>
    public static OracleTensor F64(double[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new OracleTensor(shape, Float64, (double[])data.Clone());
    }

    /// <summary>An int64 tensor; an empty <paramref name="shape"/> means 0-dim (needs exactly one value).</summary>
    public static OracleTensor I64(long[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        var d = new double[data.Length];
        for (int i = 0; i < d.Length; i++) d[i] = data[i];
        return new OracleTensor(shape, Int64, d);
    }

    /// <summary>The same tensor, sent with <c>"requires_grad": false</c>.</summary>
    public OracleTensor NoGrad() => new(Shape, DType, Data, requiresGrad: false);

    public float[] ToFloatArray()
    {
        var r = new float[Data.Length];
        for (int i = 0; i < r.Length; i++) r[i] = (float)Data[i];
        return r;
    }

    public double[] ToDoubleArray() => (double[])Data.Clone();

    public long[] ToLongArray()
    {
        var r = new long[Data.Length];
        for (int i = 0; i < r.Length; i++) r[i] = checked((long)Data[i]);
        return r;
    }

    /// <summary>The single value of a 0-dim or one-element tensor.</summary>
    public double Item()
    {
        if (Data.Length != 1) throw new InvalidOperationException($"Item() needs one element, the tensor has {Data.Length}.");
        return Data[0];
    }

    public JsonObject ToJson()
    {
        var shape = new JsonArray();
        foreach (var d in Shape) shape.Add(d);
        var data = new JsonArray();
        if (DType == Int64)
            foreach (var v in Data) data.Add(checked((long)v));
        else if (DType == Float32)
            foreach (var v in Data) data.Add(EncodeDouble((float)v));
        else
            foreach (var v in Data) data.Add(EncodeDouble(v));
        var o = new JsonObject { ["shape"] = shape, ["dtype"] = DType, ["data"] = data };
        if (!RequiresGrad) o["requires_grad"] = false;
        return o;
    }

    public static OracleTensor FromJson(JsonNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node is not JsonObject o || o["shape"] is not JsonArray shapeNode || o["data"] is not JsonArray dataNode)
            throw new FormatException("Not a tensor object: " + Truncate(node.ToJsonString()));
        string dtype = o["dtype"]?.GetValue<string>() ?? throw new FormatException("Tensor without dtype.");
        var shape = new int[shapeNode.Count];
        for (int i = 0; i < shape.Length; i++) shape[i] = shapeNode[i]!.GetValue<int>();
        var data = new double[dataNode.Count];
        for (int i = 0; i < data.Length; i++) data[i] = DecodeDouble(dataNode[i]);
        bool requiresGrad = o["requires_grad"] is not JsonValue rg || rg.GetValue<bool>();
        return new OracleTensor(shape, dtype, data, requiresGrad);
    }

    /// <summary>A double as a JSON value: a number, or "NaN" / "Infinity" / "-Infinity".</summary>
    public static JsonNode EncodeDouble(double v)
    {
        if (double.IsNaN(v)) return JsonValue.Create("NaN");
        if (double.IsPositiveInfinity(v)) return JsonValue.Create("Infinity");
        if (double.IsNegativeInfinity(v)) return JsonValue.Create("-Infinity");
        return JsonValue.Create(v);
    }

    /// <summary>Reads a JSON number or one of the strings "NaN", "Infinity", "-Infinity".</summary>
    public static double DecodeDouble(JsonNode? node)
    {
        if (node is not JsonValue v) throw new FormatException("Expected a number, got " + (node?.ToJsonString() ?? "null"));
        switch (v.GetValueKind())
        {
            case JsonValueKind.Number:
                return v.GetValue<double>();
            case JsonValueKind.String:
                var s = v.GetValue<string>();
                return s switch
                {
                    "NaN" or "nan" => double.NaN,
                    "Infinity" or "+Infinity" or "inf" => double.PositiveInfinity,
                    "-Infinity" or "-inf" => double.NegativeInfinity,
                    _ => throw new FormatException($"Bad number string '{s}'."),
                };
            default:
                throw new FormatException("Expected a number, got " + v.ToJsonString());
        }
    }

    public override string ToString()
    {
        var shown = string.Join(", ", Data.Take(8).Select(d => d.ToString("R", CultureInfo.InvariantCulture)));
        return $"OracleTensor({DType}, [{string.Join(",", Shape)}], [{shown}{(Data.Length > 8 ? ", ..." : "")}])";
    }

    private static string Truncate(string s) => s.Length <= 200 ? s : s[..200] + "...";
}
