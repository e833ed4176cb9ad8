using System.Globalization;
using Google.Protobuf;
using MLNetDeep.OnnxExport.Schema;
using MLNetDeep.Tensors;
using DataType = MLNetDeep.OnnxExport.Schema.TensorProto.Types.DataType;

namespace MLNetDeep.OnnxExport;

/// <summary>
/// Builds one ONNX graph for a chosen opset: typed inputs and outputs (with dynamic axes),
/// initializers from engine tensors, constants, and nodes with typed attributes, in topological
/// order. Every value and node gets a unique name; every node input must already exist and every
/// operator must exist in the opset, else an <see cref="OnnxExportException"/> names the node and value.
/// </summary>
public sealed partial class OnnxGraphBuilder
{
    private readonly GraphProto _graph = new();
    private readonly HashSet<string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _nodeNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _valueCounters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _nodeCounters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _constantCache = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DataType> _elemTypes = new(StringComparer.Ordinal);

    /// <summary>Creates an empty graph.</summary>
    /// <param name="opset">Default-domain opset, <see cref="OnnxOpsets.Min"/> to <see cref="OnnxOpsets.Max"/>.</param>
    /// <param name="graphName">Name of the graph.</param>
    public OnnxGraphBuilder(int opset = OnnxOpsets.Default, string graphName = "mlnetdeep_graph")
    {
        OnnxOpsets.Validate(opset);
        ArgumentException.ThrowIfNullOrWhiteSpace(graphName);
        Opset = opset;
        _graph.Name = graphName;
    }

    /// <summary>The default-domain opset the graph is written for.</summary>
    public int Opset { get; }

    /// <summary>
    /// Prefix of the names generated for nodes and values (e.g. the module path <c>"encoder.0"</c>),
    /// so the graph reads like the model; empty at the top level.
    /// </summary>
    public string Scope { get; set; } = "";

    /// <summary>Description of the graph, or null.</summary>
    public string? DocString
    {
        get => _graph.HasDocString ? _graph.DocString : null;
        set { if (value is null) _graph.ClearDocString(); else _graph.DocString = value; }
    }

    /// <summary>The nodes added so far, in order.</summary>
    public IReadOnlyList<NodeProto> Nodes => _graph.Node;

    /// <summary>Number of graph outputs declared so far.</summary>
    public int OutputCount => _graph.Output.Count;

    /// <summary>Whether <paramref name="name"/> is a graph input, initializer or node output.</summary>
    /// <param name="name">A value name.</param>
    public bool HasValue(string name) => _values.Contains(name);

    /// <summary>The element type of a graph input or initializer, when known.</summary>
    /// <param name="name">A value name.</param>
    public DataType? ElementTypeOf(string name) => _elemTypes.TryGetValue(name, out var t) ? t : null;

    /// <summary>Throws when the graph's opset is below <paramref name="minOpset"/>.</summary>
    /// <param name="minOpset">The opset the construct needs.</param>
    /// <param name="what">What needs it (named in the message).</param>
    public void RequireOpset(int minOpset, string what)
    {
        if (Opset < minOpset)
            throw new OnnxExportException($"{what} needs ONNX opset {minOpset} or newer; the graph is written for opset {Opset}.", modulePath: Scope);
    }

    // ------------------------------------------------------------------ names

    /// <summary>A value name not used yet, derived from <paramref name="hint"/> (within the current <see cref="Scope"/>).</summary>
    /// <param name="hint">Preferred name.</param>
    public string UniqueValueName(string hint) => Unique(Scoped(hint), _values, _valueCounters);

    private string Scoped(string hint) => Scope.Length == 0 ? hint : Scope + "/" + hint;

    private static string Unique(string hint, HashSet<string> taken, Dictionary<string, int> counters)
    {
        if (!taken.Contains(hint) && !counters.ContainsKey(hint))
        {
            counters[hint] = 0;
            return hint;
        }
        int n = counters.TryGetValue(hint, out var c) ? c : 0;
        string name;
        do name = hint + "_" + (++n).ToString(CultureInfo.InvariantCulture);
        while (taken.Contains(name));
        counters[hint] = n;
        return name;
    }

    private void ClaimValue(string name, string what)
    {
        if (string.IsNullOrEmpty(name)) throw new OnnxExportException($"{what} needs a non-empty name.");
        if (!_values.Add(name)) throw new OnnxExportException($"{what} '{name}': a value of that name already exists in the graph.", valueName: name);
    }

    // ------------------------------------------------------------------ inputs, outputs

    /// <summary>Declares a graph input and returns its name (the spec's name, which must be free).</summary>
    /// <param name="spec">Name, element type, shape (dynamic axes become <c>dim_param</c>) and doc string.</param>
    public string AddInput(OnnxTensorSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ClaimValue(spec.Name, "Graph input");
        _elemTypes[spec.Name] = ToDataType(spec.DType);
        _graph.Input.Add(MakeValueInfo(spec.Name, spec.DType, spec.Shape, spec.DocString));
        return spec.Name;
    }

    /// <summary>
    /// Declares <paramref name="value"/> as a graph output named <paramref name="spec"/>.Name. When the
    /// names differ, a node output is renamed in place (the old name disappears from the graph); a graph
    /// input, initializer or existing output is copied through an Identity node.
    /// </summary>
    /// <param name="value">An existing value.</param>
    /// <param name="spec">Output name, element type, shape (or an empty-rank spec) and doc string.</param>
    /// <param name="shapeKnown">False to write only the element type.</param>
    public void AddOutput(string value, OnnxTensorSpec spec, bool shapeKnown = true)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (!HasValue(value))
            throw new OnnxExportException($"Graph output '{spec.Name}' refers to value '{value}', which the graph does not contain.", valueName: value);
        if (_graph.Output.Any(o => o.Name == spec.Name))
            throw new OnnxExportException($"Graph output '{spec.Name}' is declared twice.", valueName: spec.Name);
        string name = value;
        if (spec.Name != value)
        {
            ClaimValue(spec.Name, "Graph output");
            var producer = _graph.Node.FirstOrDefault(n => n.Output.Contains(value));
            bool isOutput = _graph.Output.Any(o => o.Name == value);
            if (producer is not null && !isOutput)
            {
                // Rename the value in place (producer and consumers), so no Identity node is needed.
                foreach (var node in _graph.Node)
                {
                    for (int i = 0; i < node.Output.Count; i++) if (node.Output[i] == value) node.Output[i] = spec.Name;
                    for (int i = 0; i < node.Input.Count; i++) if (node.Input[i] == value) node.Input[i] = spec.Name;
                }
                _values.Remove(value);
            }
            else
            {
                _graph.Node.Add(NewNode("Identity", [value], [spec.Name], UniqueNodeName("Identity_" + spec.Name), null, ""));
            }
            name = spec.Name;
        }
        _graph.Output.Add(MakeValueInfo(name, spec.DType, shapeKnown ? spec.Shape : null, spec.DocString));
    }

    private static ValueInfoProto MakeValueInfo(string name, DType dtype, IReadOnlyList<OnnxDim>? shape, string? doc)
    {
        var tensorType = new TypeProto.Types.Tensor { ElemType = (int)ToDataType(dtype) };
        if (shape is not null)
        {
            var s = new TensorShapeProto();
            foreach (var d in shape)
            {
                var dim = new TensorShapeProto.Types.Dimension();
                if (d.IsDynamic) dim.DimParam = d.Name; else dim.DimValue = d.Size;
                s.Dim.Add(dim);
            }
            tensorType.Shape = s;
        }
        var info = new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
        if (doc is not null) info.DocString = doc;
        return info;
    }

    /// <summary>The ONNX element type of an engine dtype.</summary>
    /// <param name="dtype">Float32, Float64 or Int64.</param>
    public static DataType ToDataType(DType dtype) => dtype switch
    {
        DType.Float32 => DataType.Float,
        DType.Float64 => DataType.Double,
        DType.Int64 => DataType.Int64,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "No ONNX element type for this dtype."),
    };

    // ------------------------------------------------------------------ initializers and constants

    /// <summary>
    /// Adds an initializer holding <paramref name="tensor"/> (raw little-endian data, float32/float64/int64)
    /// and returns its name: <paramref name="name"/> made unique (not scoped, so parameter names such as
    /// <c>"0.weight"</c> stay as in the state dict).
    /// </summary>
    /// <param name="name">Preferred name.</param>
    /// <param name="tensor">The value (copied).</param>
    /// <param name="docString">Optional description.</param>
    public string AddInitializer(string name, Tensor tensor, string? docString = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(tensor);
        string unique = Unique(name, _values, _valueCounters);
        _values.Add(unique);
        var proto = ToTensorProto(unique, tensor);
        if (docString is not null) proto.DocString = docString;
        _elemTypes[unique] = (DataType)proto.DataType;
        _graph.Initializer.Add(proto);
        return unique;
    }

    /// <summary>A float32 constant (an initializer) of the given shape; equal constants are shared.</summary>
    /// <param name="hint">Preferred name (scoped).</param>
    /// <param name="values">Row-major values.</param>
    /// <param name="dims">Shape; empty for a scalar.</param>
    public string AddFloats(string hint, float[] values, params int[] dims) =>
        Constant(hint, Tensor.FromArray((float[])values.Clone(), dims), "f");

    /// <summary>A 0-dim float32 constant.</summary>
    /// <param name="hint">Preferred name (scoped).</param>
    /// <param name="value">The value.</param>
    public string AddScalar(string hint, float value) => AddFloats(hint, [value]);

    /// <summary>A 1-D int64 constant (shapes, axes, indices); equal constants are shared.</summary>
    /// <param name="hint">Preferred name (scoped).</param>
    /// <param name="values">The values.</param>
    public string AddInt64s(string hint, params long[] values) =>
        Constant(hint, Tensor.FromArray((long[])values.Clone(), values.Length), "i");

    /// <summary>A constant of any engine tensor (an initializer); equal constants are shared.</summary>
    /// <param name="hint">Preferred name (scoped).</param>
    /// <param name="value">The value (copied).</param>
    public string AddConstant(string hint, Tensor value) => Constant(hint, value, value.DType.ToString());

    private string Constant(string hint, Tensor t, string tag)
    {
        string key = tag + "|" + string.Join(",", t.Shape.ToArray()) + "|" + Convert.ToBase64String(t.ToBytes());
        if (key.Length < 4096 && _constantCache.TryGetValue(key, out var existing)) return existing;
        string name = AddInitializer(Scoped(hint), t);
        if (key.Length < 4096) _constantCache[key] = name;
        return name;
    }

    /// <summary>An ONNX TensorProto of <paramref name="tensor"/> with raw little-endian data.</summary>
    /// <param name="name">Tensor name.</param>
    /// <param name="tensor">The value.</param>
    public static TensorProto ToTensorProto(string name, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw data is little-endian; big-endian hosts are not supported.");
        var proto = new TensorProto { Name = name, DataType = (int)ToDataType(tensor.DType) };
        foreach (var d in tensor.Shape) proto.Dims.Add(d);
        proto.RawData = ByteString.CopyFrom(tensor.ToBytes());
        return proto;
    }
}
