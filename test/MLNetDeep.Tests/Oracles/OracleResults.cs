using System.Text.Json.Nodes;

namespace MLNetDeep.Tests.Oracles;

/// <summary>A torch dtype passed as an argument (e.g. <c>dtype=torch.float64</c>); sent as <c>{"torch_dtype":"float64"}</c>.</summary>
public sealed record OracleDType(string Name)
{
    public static readonly OracleDType Float32 = new("float32");
    public static readonly OracleDType Float64 = new("float64");
    public static readonly OracleDType Int64 = new("int64");
}

/// <summary>An LR scheduler for <see cref="TorchOracle.Optim"/>: stepped once after every optimizer step
/// (with <see cref="Metrics"/>[step] as argument when given, for ReduceLROnPlateau).</summary>
public sealed record OracleScheduler(string Name, IDictionary<string, object?>? Kwargs = null, IReadOnlyList<double>? Metrics = null);

/// <summary>Gradient clipping applied before every optimizer step.</summary>
public sealed record OracleClip
{
    private OracleClip(double? maxNorm, double normType, double? clipValue)
    {
        MaxNorm = maxNorm;
        NormType = normType;
        ClipValue = clipValue;
    }

    public double? MaxNorm { get; }
    public double NormType { get; }
    public double? ClipValue { get; }

    /// <summary>torch.nn.utils.clip_grad_norm_(params, maxNorm, normType); normType may be +Infinity.</summary>
    public static OracleClip ByNorm(double maxNorm, double normType = 2.0) => new(maxNorm, normType, null);

    /// <summary>torch.nn.utils.clip_grad_value_(params, clipValue).</summary>
    public static OracleClip ByValue(double clipValue) => new(null, 2.0, clipValue);
}

/// <summary>Weight [out, in] and optional bias [out] of one Linear layer.</summary>
public sealed record OracleLinearLayer(OracleTensor Weight, OracleTensor? Bias);

/// <summary>Result of a "call" request.</summary>
public sealed class OracleCallResult
{
    internal OracleCallResult(JsonObject raw)
    {
        Raw = raw;
        Outputs = OracleJson.TensorList(raw["outputs"]);
        Grads = OracleJson.TensorList(raw["grads"]);
    }

    /// <summary>The outputs, flattened in order (null for a None output).</summary>
    public IReadOnlyList<OracleTensor?> Outputs { get; }

    /// <summary>Grads aligned with every tensor of the request in order (inputs, args, kwargs);
    /// null where there is none; empty when no grad outputs were given.</summary>
    public IReadOnlyList<OracleTensor?> Grads { get; }

    public JsonObject Raw { get; }

    /// <summary>Outputs[i], which must not be null.</summary>
    public OracleTensor Output(int i = 0) => Outputs[i] ?? throw new InvalidOperationException($"Output {i} is null.");

    /// <summary>Grads[i], which must not be null.</summary>
    public OracleTensor Grad(int i) => Grads[i] ?? throw new InvalidOperationException($"Grad {i} is null.");
}

/// <summary>Result of a "module" request.</summary>
public sealed class OracleModuleResult
{
    internal OracleModuleResult(JsonObject raw)
    {
        Raw = raw;
        Outputs = OracleJson.TensorList(raw["outputs"]);
        Grads = OracleJson.TensorList(raw["grads"]);
        ParamGrads = OracleJson.TensorMap(raw["param_grads"]);
        StateAfter = OracleJson.TensorMap(raw["state_after"]).ToDictionary(kv => kv.Key, kv => kv.Value!);
        MissingKeys = OracleJson.StringList(raw["missing_keys"]);
        UnexpectedKeys = OracleJson.StringList(raw["unexpected_keys"]);
    }

    /// <summary>Forward outputs, nested tuples flattened in order (e.g. GRU: output, h_n).</summary>
    public IReadOnlyList<OracleTensor?> Outputs { get; }

    /// <summary>Grads of the input tensors in order; empty when no grad outputs were given.</summary>
    public IReadOnlyList<OracleTensor?> Grads { get; }

    /// <summary>Grad of every named parameter (null value when unused); empty when no grad outputs were given.</summary>
    public IReadOnlyDictionary<string, OracleTensor?> ParamGrads { get; }

    /// <summary>The module's full state_dict after forward (and backward): parameters and buffers.</summary>
    public IReadOnlyDictionary<string, OracleTensor> StateAfter { get; }

    /// <summary>state_dict keys the given state did not provide (they keep torch's seeded initialisation).</summary>
    public IReadOnlyList<string> MissingKeys { get; }

    public IReadOnlyList<string> UnexpectedKeys { get; }

    public JsonObject Raw { get; }

    public OracleTensor Output(int i = 0) => Outputs[i] ?? throw new InvalidOperationException($"Output {i} is null.");

    public OracleTensor Grad(int i) => Grads[i] ?? throw new InvalidOperationException($"Grad {i} is null.");

    public OracleTensor ParamGrad(string name) =>
        ParamGrads.TryGetValue(name, out var g) && g is not null ? g : throw new InvalidOperationException($"No grad for parameter '{name}'.");
}

/// <summary>Result of an "optim" request.</summary>
public sealed class OracleOptimResult
{
    internal OracleOptimResult(JsonObject raw)
    {
        Raw = raw;
        ParamsPerStep = (raw["params_per_step"] as JsonArray ?? [])
            .Select(step => (IReadOnlyList<OracleTensor>)OracleJson.TensorList(step).Select(t => t!).ToArray())
            .ToArray();
        LrPerStep = OracleJson.DoubleList(raw["lr_per_step"]);
        TotalNorms = raw["total_norms"] is JsonArray ? OracleJson.DoubleList(raw["total_norms"]) : null;
    }

    /// <summary>Parameter values after each step: [step][param].</summary>
    public IReadOnlyList<IReadOnlyList<OracleTensor>> ParamsPerStep { get; }

    /// <summary>LR of param group 0 used by each step (read before the step).</summary>
    public IReadOnlyList<double> LrPerStep { get; }

    /// <summary>clip_grad_norm_'s total norm per step (before clipping), or null without norm clipping.</summary>
    public IReadOnlyList<double>? TotalNorms { get; }

    public JsonObject Raw { get; }
}

/// <summary>Result of a "train_mlp" request.</summary>
public sealed class OracleTrainMlpResult
{
    internal OracleTrainMlpResult(JsonObject raw)
    {
        Raw = raw;
        Losses = OracleJson.DoubleList(raw["losses"]);
        Final = (raw["final"] as JsonArray ?? [])
            .Select(l => new OracleLinearLayer(
                OracleTensor.FromJson(l!["weight"]!),
                l["bias"] is JsonNode b ? OracleTensor.FromJson(b) : null))
            .ToArray();
    }

    /// <summary>Loss of each step, computed before that step's update.</summary>
    public IReadOnlyList<double> Losses { get; }

    /// <summary>Layer weights after the last step.</summary>
    public IReadOnlyList<OracleLinearLayer> Final { get; }

    public JsonObject Raw { get; }
}

/// <summary>Conversions between .NET values and the oracle's JSON.</summary>
public static class OracleJson
{
    /// <summary>
    /// A .NET value as a JSON node: null, bool, string, integers, doubles (non-finite ones as {"float":"NaN"}),
    /// <see cref="OracleTensor"/>, <see cref="OracleDType"/>, <see cref="JsonNode"/>, dictionaries with string keys
    /// (JSON objects) and other enumerables (JSON lists, e.g. a list of tensors for torch.cat).
    /// </summary>
    public static JsonNode? ToNode(object? value)
    {
        switch (value)
        {
            case null: return null;
            case JsonNode n: return n.Parent is null ? n : n.DeepClone();
            case OracleTensor t: return t.ToJson();
            case OracleDType d: return new JsonObject { ["torch_dtype"] = d.Name };
            case string s: return JsonValue.Create(s);
            case bool b: return JsonValue.Create(b);
            case int or long or short or sbyte or byte or ushort or uint:
                return JsonValue.Create(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
            case float f: return DoubleNode(f);
            case double d: return DoubleNode(d);
            case IDictionary<string, object?> dict:
                {
                    var o = new JsonObject();
                    foreach (var kv in dict) o[kv.Key] = ToNode(kv.Value);
                    return o;
                }
            case System.Collections.IEnumerable e:
                {
                    var a = new JsonArray();
                    foreach (var item in e) a.Add(ToNode(item));
                    return a;
                }
            default:
                throw new ArgumentException($"Cannot send a value of type {value.GetType()} to the oracle.");
        }
    }

    private static JsonNode DoubleNode(double d) =>
        double.IsFinite(d) ? JsonValue.Create(d) : new JsonObject { ["float"] = OracleTensor.EncodeDouble(d) };

    internal static JsonArray Array(IEnumerable<object?>? values)
    {
        var a = new JsonArray();
        if (values is not null)
            foreach (var v in values) a.Add(ToNode(v));
        return a;
    }

    internal static JsonObject Object(IEnumerable<KeyValuePair<string, object?>>? values)
    {
        var o = new JsonObject();
        if (values is not null)
            foreach (var kv in values) o[kv.Key] = ToNode(kv.Value);
        return o;
    }

    internal static OracleTensor?[] TensorList(JsonNode? node) =>
        node is JsonArray a ? a.Select(n => n is null ? null : OracleTensor.FromJson(n)).ToArray() : [];

    internal static Dictionary<string, OracleTensor?> TensorMap(JsonNode? node) =>
        node is JsonObject o
            ? o.ToDictionary(kv => kv.Key, kv => kv.Value is null ? null : OracleTensor.FromJson(kv.Value))
            : [];

    internal static double[] DoubleList(JsonNode? node) =>
        node is JsonArray a ? a.Select(OracleTensor.DecodeDouble).ToArray() : [];

    internal static string[] StringList(JsonNode? node) =>
        node is JsonArray a ? a.Select(n => n!.GetValue<string>()).ToArray() : [];
}
