using Google.Protobuf;
using MLNetDeep.OnnxExport.Schema;

namespace MLNetDeep.Onnx;

/// <summary>Name, element type and (possibly symbolic) shape of a graph input or output.</summary>
/// <param name="Name">Value name.</param>
/// <param name="ElementType">Declared element type, or null when undeclared.</param>
/// <param name="Shape">Declared dims (null entries are symbolic or unknown), or null when the rank is unknown.</param>
public sealed record OnnxValueInfo(string Name, OnnxElementType? ElementType, long?[]? Shape);

/// <summary>
/// A validated ONNX model: parsed with size limits, checked (opset, known operators, attribute types,
/// every input defined before use, unique outputs) and compiled into kernels. Loading never executes
/// anything from the file; it only decodes tensors and reads attributes. Run it with <see cref="OnnxSession"/>.
/// </summary>
public sealed class OnnxModel
{
    /// <summary>Oldest default-domain opset accepted.</summary>
    public const int MinOpset = 1;

    /// <summary>Below this opset only operators whose semantics have not changed since opset 1 are accepted.</summary>
    public const int MinGeneralOpset = 7;

    private static readonly HashSet<string> StableSinceOpset1 = ["GlobalAveragePool", "Not", "Identity", "Shape", "Size", "Transpose"];

    /// <summary>Newest default-domain opset accepted.</summary>
    public const int MaxOpset = 17;

    internal readonly Dictionary<string, OnnxValue> Initializers;
    internal readonly OnnxNode[] Nodes; // topologically sorted
    internal readonly OnnxKernel[] Kernels;

    /// <summary>Graph inputs that must be fed (initializers excluded).</summary>
    public IReadOnlyList<OnnxValueInfo> Inputs { get; }

    /// <summary>Graph outputs.</summary>
    public IReadOnlyList<OnnxValueInfo> Outputs { get; }

    /// <summary>Default-domain opset version.</summary>
    public int Opset { get; }

    /// <summary>Producer recorded in the file (e.g. "pytorch").</summary>
    public string ProducerName { get; }

    /// <summary>The nodes in execution order.</summary>
    public IReadOnlyList<OnnxNode> Graph => Nodes;

    /// <summary>The limits the model was loaded under.</summary>
    public OnnxLoadOptions Limits { get; }

    /// <summary>Loads and validates a model file.</summary>
    /// <exception cref="OnnxModelException">The file is malformed, unsupported or exceeds a limit.</exception>
    public static OnnxModel Load(string path, OnnxLoadOptions? limits = null)
    {
        limits ??= OnnxLoadOptions.Default;
        limits.Validate();
        using var s = File.OpenRead(path);
        return Load(s, limits, $"file '{path}'");
    }

    /// <summary>Loads and validates a model from a stream (read up to <see cref="OnnxLoadOptions.MaxFileBytes"/> + 1 bytes).</summary>
    /// <exception cref="OnnxModelException">The data is malformed, unsupported or exceeds a limit.</exception>
    public static OnnxModel Load(Stream stream, OnnxLoadOptions? limits = null) => Load(stream, limits ?? OnnxLoadOptions.Default, "stream");

    /// <summary>Loads and validates a model from bytes.</summary>
    /// <exception cref="OnnxModelException">The data is malformed, unsupported or exceeds a limit.</exception>
    public static OnnxModel Load(byte[] bytes, OnnxLoadOptions? limits = null)
    {
        limits ??= OnnxLoadOptions.Default;
        limits.Validate();
        if (bytes.LongLength > limits.MaxFileBytes)
            throw new OnnxLimitException("model", $"{bytes.LongLength} bytes exceed the file limit {limits.MaxFileBytes}.");
        return Parse(bytes, limits);
    }

    private static OnnxModel Load(Stream stream, OnnxLoadOptions limits, string what)
    {
        limits.Validate();
        if (stream.CanSeek && stream.Length - stream.Position > limits.MaxFileBytes)
            throw new OnnxLimitException(what, $"{stream.Length - stream.Position} bytes exceed the file limit {limits.MaxFileBytes}.");
        // Read in chunks so a lying or endless stream cannot make us allocate past the limit.
        using var ms = new MemoryStream();
        var buf = new byte[81920];
        int read;
        while ((read = stream.Read(buf, 0, buf.Length)) > 0)
        {
            if (ms.Length + read > limits.MaxFileBytes)
                throw new OnnxLimitException(what, $"more than {limits.MaxFileBytes} bytes (the file limit).");
            ms.Write(buf, 0, read);
        }
        return Parse(ms.ToArray(), limits);
    }

    private static OnnxModel Parse(byte[] bytes, OnnxLoadOptions limits)
    {
        ModelProto proto;
        try
        {
            // Protobuf parsing from a byte array never allocates more than a small multiple of the input:
            // every length prefix is checked against the bytes that remain.
            var input = new CodedInputStream(bytes);
            proto = ModelProto.Parser.ParseFrom(input);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new OnnxModelException("model", $"not a valid ONNX protobuf ({e.Message}).", e);
        }
        return new OnnxModel(proto, limits);
    }

    private OnnxModel(ModelProto proto, OnnxLoadOptions limits)
    {
        Limits = limits;
        ProducerName = proto.ProducerName ?? "";
        int? opset = null;
        foreach (var o in proto.OpsetImport)
            if (string.IsNullOrEmpty(o.Domain) || o.Domain == "ai.onnx") opset = (int)Math.Clamp(o.Version, int.MinValue, int.MaxValue);
        if (opset is null) throw new OnnxModelException("model.opset_import", "no opset for the default ONNX domain.");
        if (opset < MinOpset || opset > MaxOpset)
            throw new OnnxModelException("model.opset_import", $"default-domain opset {opset} is outside the supported range {MinOpset}..{MaxOpset}.");
        Opset = opset.Value;
        if (proto.Functions.Count > 0) throw new OnnxModelException("model.functions", "model-local functions are not supported.");
        var g = proto.Graph ?? throw new OnnxModelException("model.graph", "the model has no graph.");
        if (g.Node.Count > limits.MaxNodes) throw new OnnxLimitException("graph", $"{g.Node.Count} nodes exceed the limit {limits.MaxNodes}.");
        if (g.SparseInitializer.Count > 0) throw new OnnxModelException("graph.sparse_initializer", "sparse initializers are not supported.");

        // Initializers: check each declared size and the running total before decoding.
        Initializers = new Dictionary<string, OnnxValue>(StringComparer.Ordinal);
        long total = 0;
        foreach (var t in g.Initializer)
        {
            string loc = $"initializer '{t.Name}'";
            if (string.IsNullOrEmpty(t.Name)) throw new OnnxModelException("graph.initializer", "an initializer has no name.");
            total += DeclaredBytes(t, loc, limits);
            if (total > limits.MaxTotalInitializerBytes)
                throw new OnnxLimitException(loc, $"initializers total more than {limits.MaxTotalInitializerBytes} bytes (the limit).");
            if (!Initializers.TryAdd(t.Name, OnnxTensorCodec.Decode(t, loc, limits)))
                throw new OnnxModelException(loc, "the name is used twice.");
        }

        var defined = new HashSet<string>(Initializers.Keys, StringComparer.Ordinal);
        var inputs = new List<OnnxValueInfo>();
        foreach (var vi in g.Input)
        {
            var info = ToInfo(vi, "graph input");
            if (Initializers.ContainsKey(vi.Name)) continue; // an initializer with a default: not required
            if (!defined.Add(vi.Name)) throw new OnnxModelException($"graph input '{vi.Name}'", "the name is defined twice.");
            if (info.ElementType is null) throw new OnnxModelException($"graph input '{vi.Name}'", "has no supported tensor type.");
            inputs.Add(info);
        }
        Inputs = inputs;

        // Topological order (Kahn), which also finds undefined inputs and cycles.
        int n = g.Node.Count;
        var producer = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < n; i++)
            foreach (var o in g.Node[i].Output)
            {
                if (o.Length == 0) continue;
                if (defined.Contains(o) || !producer.TryAdd(o, i))
                    throw new OnnxModelException(NodeLoc(g.Node[i], i), $"output '{o}' is already defined (outputs must be unique).");
            }
        var pending = new int[n];
        var consumers = new List<int>[n];
        for (int i = 0; i < n; i++) consumers[i] = [];
        for (int i = 0; i < n; i++)
        {
            foreach (var inp in g.Node[i].Input)
            {
                if (inp.Length == 0 || defined.Contains(inp)) continue;
                if (!producer.TryGetValue(inp, out int p))
                    throw new OnnxModelException(NodeLoc(g.Node[i], i), $"input '{inp}' is not defined by any node, graph input or initializer.");
                pending[i]++;
                consumers[p].Add(i);
            }
        }
        var order = new List<int>(n);
        var ready = new Queue<int>();
        for (int i = 0; i < n; i++) if (pending[i] == 0) ready.Enqueue(i);
        while (ready.Count > 0)
        {
            int i = ready.Dequeue();
            order.Add(i);
            foreach (int c in consumers[i]) if (--pending[c] == 0) ready.Enqueue(c);
        }
        if (order.Count != n)
        {
            int stuck = Enumerable.Range(0, n).First(i => pending[i] > 0);
            throw new OnnxModelException(NodeLoc(g.Node[stuck], stuck), "is part of a cycle (the graph is not a DAG).");
        }

        Nodes = new OnnxNode[n];
        Kernels = new OnnxKernel[n];
        for (int k = 0; k < n; k++)
        {
            int i = order[k];
            var p = g.Node[i];
            if (!string.IsNullOrEmpty(p.Domain) && p.Domain != "ai.onnx")
                throw new OnnxModelException(NodeLoc(p, i), $"domain '{p.Domain}' is not supported.");
            var node = new OnnxNode(p, i, Opset, limits, Initializers);
            if (!OnnxOperators.TryGetCompiler(node.OpType, out var compile))
                throw new OnnxModelException(node.Location, $"operator '{node.OpType}' is not supported.");
            if (Opset < MinGeneralOpset && !StableSinceOpset1.Contains(node.OpType))
                throw new OnnxModelException(node.Location, $"opset {Opset} is too old for this operator (opset {MinGeneralOpset}+ required).");
            Nodes[k] = node;
            try
            {
                Kernels[k] = compile(node);
            }
            catch (OnnxException) { throw; }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or IndexOutOfRangeException or OverflowException or FormatException)
            {
                throw new OnnxModelException(node.Location, e.Message, e);
            }
            if (node.OpType == "Constant" && node.Outputs.Count == 1 && node.Outputs[0].Length > 0)
            {
                // Constants are folded at load time, so later nodes can see them (fusion, pre-packing).
                var value = Kernels[k]([])[0]!;
                total += (long)value.Tensor.Numel * OnnxValue.ElementSize(value.ElementType);
                if (total > limits.MaxTotalInitializerBytes)
                    throw new OnnxLimitException(node.Location, $"initializers and constants total more than {limits.MaxTotalInitializerBytes} bytes (the limit).");
                Initializers[node.Outputs[0]] = value;
            }
        }

        var outputs = new List<OnnxValueInfo>();
        foreach (var vi in g.Output)
        {
            if (!defined.Contains(vi.Name) && !producer.ContainsKey(vi.Name))
                throw new OnnxModelException($"graph output '{vi.Name}'", "is not produced by any node, input or initializer.");
            outputs.Add(ToInfo(vi, "graph output"));
        }
        if (outputs.Count == 0) throw new OnnxModelException("graph.output", "the graph has no outputs.");
        Outputs = outputs;
        OnnxFusion.FuseActivations(Nodes, Kernels, outputs.Select(o => o.Name));
    }

    private static string NodeLoc(NodeProto p, int i) =>
        $"node {(string.IsNullOrEmpty(p.Name) ? $"#{i}" : $"'{p.Name}'")} ({p.OpType})";

    private static long DeclaredBytes(TensorProto t, string loc, OnnxLoadOptions limits)
    {
        long count = 1;
        foreach (long d in t.Dims)
        {
            if (d < 0) throw new OnnxModelException(loc, $"negative dim {d}.");
            if (d > limits.MaxTensorElements || (count *= d) > limits.MaxTensorElements)
                throw new OnnxLimitException(loc, $"more elements than the limit {limits.MaxTensorElements}.");
        }
        int size = OnnxValue.IsSupported(t.DataType) ? OnnxValue.ElementSize((OnnxElementType)t.DataType) : 1;
        return count * size;
    }

    private static OnnxValueInfo ToInfo(ValueInfoProto vi, string what)
    {
        if (string.IsNullOrEmpty(vi.Name)) throw new OnnxModelException(what, "a value has no name.");
        var tt = vi.Type?.TensorType;
        if (vi.Type is not null && vi.Type.ValueCase != TypeProto.ValueOneofCase.TensorType && vi.Type.ValueCase != TypeProto.ValueOneofCase.None)
            throw new OnnxModelException($"{what} '{vi.Name}'", $"type {vi.Type.ValueCase} is not supported (tensors only).");
        OnnxElementType? et = tt is not null && tt.HasElemType && OnnxValue.IsSupported(tt.ElemType) ? (OnnxElementType)tt.ElemType : null;
        if (tt is not null && tt.HasElemType && et is null)
            throw new OnnxModelException($"{what} '{vi.Name}'", $"element type {tt.ElemType} is not supported.");
        long?[]? shape = tt?.Shape?.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue : (long?)null).ToArray();
        return new OnnxValueInfo(vi.Name, et, shape);
    }
}
