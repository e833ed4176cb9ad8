using MLNetDeep.OnnxExport.Schema;

namespace MLNetDeep.OnnxExport;

public sealed partial class OnnxGraphBuilder
{
    /// <summary>
    /// Appends a node and returns the names of its outputs (fresh, unique, derived from the node name).
    /// Inputs must be existing values, or <c>""</c> for an omitted optional input.
    /// </summary>
    /// <param name="opType">Operator, e.g. <c>"Gemm"</c>.</param>
    /// <param name="inputs">Input value names, in the operator's order.</param>
    /// <param name="outputCount">Number of outputs to create.</param>
    /// <param name="attributes">Typed attributes (see <see cref="OnnxAttr"/>); names must be distinct.</param>
    /// <param name="name">Preferred node name (scoped; default the op type).</param>
    /// <param name="docString">Optional description (e.g. the module the node comes from).</param>
    /// <param name="domain">Operator domain; <c>""</c> is the default ONNX domain, the only one whose opset is checked.</param>
    /// <exception cref="OnnxExportException">An input does not exist, the opset lacks the operator, or an attribute name repeats.</exception>
    public string[] AddNode(string opType, IReadOnlyList<string> inputs, int outputCount = 1,
        IEnumerable<AttributeProto>? attributes = null, string? name = null, string? docString = null, string domain = "")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(opType);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputCount, 1);
        string nodeName = UniqueNodeName(Scoped(name ?? opType));
        if (domain.Length == 0 && OnnxOpsets.Since(opType) is int since && since > Opset)
            throw new OnnxExportException(
                $"Node '{nodeName}': operator {opType} needs opset {since}, the graph is written for opset {Opset}.", nodeName, modulePath: Scope);
        foreach (var input in inputs)
        {
            if (input is null)
                throw new OnnxExportException($"Node '{nodeName}' ({opType}) has a null input name; use \"\" for an omitted optional input.", nodeName, modulePath: Scope);
            if (input.Length > 0 && !_values.Contains(input))
                throw new OnnxExportException(
                    $"Node '{nodeName}' ({opType}) reads '{input}', which is not a graph input, initializer or output of an earlier node.",
                    nodeName, input, Scope);
        }
        var outputs = new string[outputCount];
        for (int i = 0; i < outputCount; i++)
        {
            outputs[i] = Unique(outputCount == 1 ? nodeName + "_output" : nodeName + "_output" + i, _values, _valueCounters);
            _values.Add(outputs[i]);
        }
        var node = NewNode(opType, inputs, outputs, nodeName, docString, domain);
        if (attributes is not null)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var a in attributes)
            {
                ArgumentNullException.ThrowIfNull(a);
                if (!seen.Add(a.Name))
                    throw new OnnxExportException($"Node '{nodeName}' ({opType}) has attribute '{a.Name}' twice.", nodeName, modulePath: Scope);
                node.Attribute.Add(a);
            }
        }
        _graph.Node.Add(node);
        return outputs;
    }

    /// <summary>Appends a one-output node and returns its output name.</summary>
    /// <param name="opType">Operator.</param>
    /// <param name="inputs">Input value names.</param>
    /// <param name="attributes">Typed attributes.</param>
    public string Node(string opType, IReadOnlyList<string> inputs, params AttributeProto[] attributes) =>
        AddNode(opType, inputs, 1, attributes)[0];

    private string UniqueNodeName(string hint)
    {
        string name = Unique(hint, _nodeNames, _nodeCounters);
        _nodeNames.Add(name);
        return name;
    }

    private static NodeProto NewNode(string opType, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs, string name, string? doc, string domain)
    {
        var node = new NodeProto { OpType = opType, Name = name };
        if (domain.Length > 0) node.Domain = domain;
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        if (doc is not null) node.DocString = doc;
        return node;
    }

    // ------------------------------------------------------------------ model

    /// <summary>
    /// The finished model: IR version matching the opset, the default-domain opset import, producer
    /// <c>"MLNetDeep"</c> and the metadata of <paramref name="info"/>. The builder stays usable.
    /// </summary>
    /// <param name="info">Metadata (defaults when null).</param>
    /// <exception cref="OnnxExportException">The graph has no output, or metadata keys are empty or repeated.</exception>
    public ModelProto ToModel(OnnxModelInfo? info = null)
    {
        info ??= new OnnxModelInfo();
        if (_graph.Output.Count == 0) throw new OnnxExportException($"Graph '{_graph.Name}' has no outputs; declare at least one with AddOutput.");
        var model = new ModelProto
        {
            IrVersion = OnnxOpsets.IrVersionFor(Opset),
            ProducerName = OnnxModelInfo.ProducerName,
            ProducerVersion = info.ProducerVersion ?? "",
            ModelVersion = info.ModelVersion,
            Graph = _graph.Clone(),
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        if (info.DocString is not null) model.DocString = info.DocString;
        if (info.Domain is not null) model.Domain = info.Domain;
        foreach (var (key, value) in info.MetadataProps)
        {
            if (string.IsNullOrEmpty(key)) throw new OnnxExportException("Model metadata keys must be non-empty.");
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value ?? "" });
        }
        return model;
    }

    /// <summary>Writes the model to <paramref name="path"/> atomically (see <see cref="OnnxModelWriter.Save"/>).</summary>
    /// <param name="path">Destination file.</param>
    /// <param name="info">Metadata.</param>
    public void Save(string path, OnnxModelInfo? info = null) => OnnxModelWriter.Save(ToModel(info), path);

    /// <summary>Writes the model to <paramref name="stream"/>, which stays open.</summary>
    /// <param name="stream">A writable stream.</param>
    /// <param name="info">Metadata.</param>
    public void Save(Stream stream, OnnxModelInfo? info = null) => OnnxModelWriter.Write(ToModel(info), stream);
}
