using MLNetDeep.OnnxExport.Schema;

namespace MLNetDeep.Onnx;

/// <summary>Runs one compiled node: inputs aligned with <see cref="OnnxNode.Inputs"/> (null for omitted optional inputs).</summary>
public delegate OnnxValue?[] OnnxKernel(OnnxValue?[] inputs);

/// <summary>
/// A node of a loaded model: operator, inputs, outputs and typed attribute access. Attribute
/// accessors throw <see cref="OnnxModelException"/> naming the node when an attribute has the wrong type.
/// </summary>
public sealed class OnnxNode
{
    private readonly Dictionary<string, AttributeProto> _attributes;
    private readonly Dictionary<string, OnnxValue> _constants;

    internal OnnxNode(NodeProto proto, int index, int opset, OnnxLoadOptions limits, Dictionary<string, OnnxValue> constants)
    {
        Name = proto.Name ?? "";
        OpType = proto.OpType ?? "";
        Index = index;
        Opset = opset;
        Limits = limits;
        Inputs = proto.Input.ToArray();
        Outputs = proto.Output.ToArray();
        _constants = constants;
        _attributes = new Dictionary<string, AttributeProto>(StringComparer.Ordinal);
        foreach (var a in proto.Attribute)
        {
            if (string.IsNullOrEmpty(a.Name)) throw new OnnxModelException(Location, "an attribute has no name.");
            if (!a.HasType || a.Type == AttributeProto.Types.AttributeType.Undefined)
                throw new OnnxModelException(Location, $"attribute '{a.Name}' has no type.");
            if (!_attributes.TryAdd(a.Name, a)) throw new OnnxModelException(Location, $"attribute '{a.Name}' appears twice.");
        }
    }

    /// <summary>Node name (may be empty).</summary>
    public string Name { get; }

    /// <summary>Operator type, e.g. "Conv".</summary>
    public string OpType { get; }

    /// <summary>Position in the file's node list.</summary>
    public int Index { get; }

    /// <summary>The model's opset version for the default domain.</summary>
    public int Opset { get; }

    /// <summary>Input value names ("" marks an omitted optional input).</summary>
    public IReadOnlyList<string> Inputs { get; }

    /// <summary>Output value names ("" marks an unused optional output).</summary>
    public IReadOnlyList<string> Outputs { get; }

    internal OnnxLoadOptions Limits { get; }

    /// <summary>"node 'name' (OpType)" for messages.</summary>
    public string Location => $"node {(Name.Length > 0 ? $"'{Name}'" : $"#{Index}")} ({OpType})";

    /// <summary>True when the node has an attribute called <paramref name="name"/>.</summary>
    public bool Has(string name) => _attributes.ContainsKey(name);

    /// <summary>The value of input <paramref name="i"/> when it is an initializer (known at load time), else null.</summary>
    public OnnxValue? ConstantInput(int i) => i < Inputs.Count && _constants.TryGetValue(Inputs[i], out var v) ? v : null;

    private AttributeProto? Get(string name, AttributeProto.Types.AttributeType type)
    {
        if (!_attributes.TryGetValue(name, out var a)) return null;
        if (a.Type != type) throw new OnnxModelException(Location, $"attribute '{name}' must be {type}, got {a.Type}.");
        return a;
    }

    /// <summary>An INT attribute, or <paramref name="fallback"/>.</summary>
    public long Int(string name, long fallback) => Get(name, AttributeProto.Types.AttributeType.Int)?.I ?? fallback;

    /// <summary>An INT attribute or null.</summary>
    public long? IntOrNull(string name) => Get(name, AttributeProto.Types.AttributeType.Int)?.I;

    /// <summary>A FLOAT attribute, or <paramref name="fallback"/>.</summary>
    public float Float(string name, float fallback) => Get(name, AttributeProto.Types.AttributeType.Float)?.F ?? fallback;

    /// <summary>A FLOAT attribute or null.</summary>
    public float? FloatOrNull(string name) => Get(name, AttributeProto.Types.AttributeType.Float)?.F;

    /// <summary>A STRING attribute (UTF-8), or <paramref name="fallback"/>.</summary>
    public string Str(string name, string fallback) => Get(name, AttributeProto.Types.AttributeType.String)?.S.ToStringUtf8() ?? fallback;

    /// <summary>An INTS attribute or null.</summary>
    public long[]? Ints(string name) => Get(name, AttributeProto.Types.AttributeType.Ints)?.Ints.ToArray();

    /// <summary>A FLOATS attribute or null.</summary>
    public float[]? Floats(string name) => Get(name, AttributeProto.Types.AttributeType.Floats)?.Floats.ToArray();

    /// <summary>A STRINGS attribute or null.</summary>
    public string[]? Strings(string name) => Get(name, AttributeProto.Types.AttributeType.Strings)?.Strings.Select(s => s.ToStringUtf8()).ToArray();

    /// <summary>A TENSOR attribute decoded under the load limits, or null.</summary>
    public OnnxValue? Tensor(string name)
    {
        var a = Get(name, AttributeProto.Types.AttributeType.Tensor);
        return a is null ? null : OnnxTensorCodec.Decode(a.T, $"{Location} attribute '{name}'", Limits);
    }

    /// <summary>Throws unless <paramref name="value"/> is within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public int CheckRange(string what, long value, long min, long max)
    {
        if (value < min || value > max) throw new OnnxModelException(Location, $"{what} = {value} is outside [{min}, {max}].");
        return (int)value;
    }

    /// <summary>A model error at this node.</summary>
    public OnnxModelException Error(string message) => new(Location, message);

    /// <summary>An execution error at this node.</summary>
    public OnnxExecutionException RunError(string message) => new(Location, message);
}
