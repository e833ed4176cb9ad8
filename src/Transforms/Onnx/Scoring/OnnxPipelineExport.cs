using MLNetDeep.Data;
using MLNetDeep.OnnxExport;
using MLNetDeep.OnnxExport.Schema;
using MLNetDeep.Tensors;

namespace MLNetDeep.Onnx.Scoring;

/// <summary>
/// Export of a fitted pipeline: finds the one <see cref="IOnnxExportable"/> component, types the graph inputs
/// from the columns it reads (Vector&lt;Key&gt; / Int64 → int64, Single → float32; axis 0 "batch", a
/// variable-length vector's axis "sequence"), exports its network and names the outputs after its columns.
/// </summary>
internal static class OnnxPipelineExport
{
    public static ModelProto Export(ITransformer model, IDataView data, DeepContext? log = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var parts = Flatten(model).ToList();
        var exportable = parts.Select((t, i) => (t, i)).Where(p => p.t is IOnnxExportable).ToList();
        if (exportable.Count == 0)
            throw new OnnxExportException($"ExportOnnx: no component of the model can export to ONNX (components: {string.Join(", ", parts.Select(p => p.GetType().Name))}).");
        if (exportable.Count > 1)
            throw new OnnxExportException($"ExportOnnx: the model has {exportable.Count} exportable components; one graph per model component is supported.");
        var (component, index) = exportable[0];
        var hook = (IOnnxExportable)component;
        var schema = data.Schema;
        for (int i = 0; i < index; i++) schema = parts[i].GetOutputSchema(schema);
        // Two exports with disjoint example sizes: an output axis is dynamic only when it follows them in both.
        var proto = ExportOnce(hook, component, parts, index, schema, 3, 5);
        var probe = ExportOnce(hook, component, parts, index, schema, 4, 7);
        for (int o = 0; o < proto.Graph.Output.Count; o++)
        {
            // Every column value is one row: axis 0 of every output is the batch axis.
            var dims = proto.Graph.Output[o].Type?.TensorType?.Shape?.Dim;
            var other = probe.Graph.Output[o].Type?.TensorType?.Shape?.Dim;
            if (dims is not { Count: > 0 }) continue;
            dims[0] = new TensorShapeProto.Types.Dimension { DimParam = "batch" };
            for (int i = 1; i < dims.Count && other is not null && i < other.Count; i++)
            {
                if (dims[i].DimParam.Length > 0 && other[i].DimParam.Length == 0) dims[i] = other[i].Clone();
                else if (dims[i].DimParam.Length > 0 && other[i].DimParam != dims[i].DimParam) dims[i] = new TensorShapeProto.Types.Dimension { DimParam = $"{proto.Graph.Output[o].Name}_dim{i}" };
            }
        }
        log?.WriteLog("ExportOnnx", $"exported {component.GetType().Name}; outside the graph: {parts.Count - 1} component(s) ({string.Join(", ", parts.Where(p => p != component).Select(p => p.GetType().Name))})");
        return proto;
    }

    private static ModelProto ExportOnce(IOnnxExportable hook, ITransformer component, List<ITransformer> parts, int index, DataViewSchema schema, int batchExample, int sequenceExample)
    {
        var specs = hook.OnnxInputColumnNames.Select(name => InputSpec(schema, name, batchExample, sequenceExample)).ToList();
        var options = new OnnxExportOptions { OutputNames = [.. hook.OnnxOutputColumnNames], GraphName = component.GetType().Name };
        options.ModelInfo.DocString = $"{component.GetType().Name} exported by MLNetDeep; inputs are key/column ids as produced by the preceding data preparation.";
        if (index > 0) options.ModelInfo.MetadataProps["mlnetdeep.outside_before"] = string.Join(",", parts.Take(index).Select(p => p.GetType().Name));
        if (index < parts.Count - 1) options.ModelInfo.MetadataProps["mlnetdeep.outside_after"] = string.Join(",", parts.Skip(index + 1).Select(p => p.GetType().Name));
        return OnnxExporter.Export(hook.OnnxNetwork, specs, options);
    }

    private static OnnxTensorSpec InputSpec(DataViewSchema schema, string name, int batchExample, int sequenceExample)
    {
        var column = schema.GetColumnOrNull(name)
            ?? throw new SchemaMismatchException(name, $"ExportOnnx: input column '{name}' not found; the schema at that point has {schema.Describe()}.");
        var (item, size) = column.Type switch
        {
            VectorDataViewType v => (v.ItemType, v.Size),
            PrimitiveDataViewType p => (p, 1),
            _ => throw new SchemaMismatchException(name, $"ExportOnnx: column '{name}' is {column.Type}, which has no ONNX input form."),
        };
        OnnxDim feature = size > 0 ? size : OnnxDim.Dynamic("sequence", sequenceExample);
        OnnxDim batch = OnnxDim.Dynamic("batch", batchExample);
        return item switch
        {
            KeyDataViewType => OnnxTensorSpec.Int64(name, batch, feature),
            NumberDataViewType n when n.RawType == typeof(long) || n.RawType == typeof(int) => OnnxTensorSpec.Int64(name, batch, feature),
            NumberDataViewType n when n.RawType == typeof(float) => OnnxTensorSpec.Float(name, batch, feature),
            _ => throw new SchemaMismatchException(name, $"ExportOnnx: column '{name}' is {column.Type}; only Key, Int64, Int32 and Single (or vectors of them) become ONNX inputs."),
        };
    }

    private static IEnumerable<ITransformer> Flatten(ITransformer t)
    {
        // TransformerChain<TLast> is generic; its Transformers list is read through the non-generic view.
        var prop = t.GetType().IsGenericType && t.GetType().GetGenericTypeDefinition() == typeof(TransformerChain<>)
            ? t.GetType().GetProperty(nameof(TransformerChain<ITransformer>.Transformers)) : null;
        if (prop?.GetValue(t) is IReadOnlyList<ITransformer> list)
        {
            foreach (var child in list) foreach (var x in Flatten(child)) yield return x;
        }
        else yield return t;
    }
}
