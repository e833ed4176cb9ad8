using System.Runtime.CompilerServices;
using MLNetDeep.OnnxExport;
using MLNetDeep.OnnxExport.Schema;
using MLNetDeep.Tensors;

namespace MLNetDeep.Estimators.Word2Vec;

/// <summary>
/// ONNX export of a fitted <see cref="Word2VecTransformer"/>. Graph input "TokenIds" int64 [batch, sequence]
/// (ids from <see cref="Word2VecTransformer.GetTokenIds"/>; 0 pads). Outputs: "TokenVectors" float
/// [batch, sequence, size] (Gather on the table; padding rows are zeros) and "Pooled" float [batch, pooled]:
/// the mean over non-zero ids (ReduceSum / count, count at least 1), and for min/mean/max the masked
/// element-wise minimum and maximum around it (zeros for a row without tokens).
/// </summary>
public static class Word2VecOnnxExporter
{
    /// <summary>Name of the graph input.</summary>
    public const string InputName = "TokenIds";

    /// <summary>Names of the graph outputs.</summary>
    public static readonly IReadOnlyList<string> OutputNames = ["TokenVectors", "Pooled"];

    /// <summary>Exports the transformer to an ONNX model.</summary>
    public static ModelProto Export(Word2VecTransformer transformer, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(transformer);
        options ??= new OnnxExportOptions();
        options.OutputNames = [.. OutputNames];
        options.GraphName = "word2vec";
        options.ModelInfo.DocString = $"MLNetDeep word2vec featurizer: {transformer.Model.Count} words × {transformer.Model.VectorSize}, pooling {transformer.Pooling}; ids 1..{transformer.Model.Count} are the words in vocabulary order, 0 pads.";
        var spec = OnnxTensorSpec.Int64(InputName, OnnxDim.Dynamic("batch", 3), OnnxDim.Dynamic("sequence", 7));
        return OnnxExporter.Export(new Word2VecLookup(transformer), [spec], options);
    }

    /// <summary>Exports the transformer to an ONNX file (written atomically).</summary>
    public static void Export(Word2VecTransformer transformer, string path, OnnxExportOptions? options = null) =>
        OnnxModelWriter.Save(Export(transformer, options), path);

    private static IReadOnlyList<string> ExportLookup(OnnxExportContext ctx, Word2VecLookup lookup, IReadOnlyList<string> inputs)
    {
        if (inputs.Count != 1) throw new OnnxExportException($"Word2VecLookup takes one input (token ids), got {inputs.Count}.");
        string ids = inputs[0];
        var b = ctx.Builder;
        string table = ctx.Initializer("table", lookup.Table);
        string vectors = b.Node("Gather", [table, ids], OnnxAttr.Int("axis", 0));
        string axis1 = b.AddInt64s("axis1", 1);
        string sum = b.Node("ReduceSum", [vectors, axis1], OnnxAttr.Int("keepdims", 0));
        string mask = b.Node("Cast", [b.Node("Greater", [ids, b.AddInt64s("zero", 0)])], OnnxAttr.Int("to", 1));
        string count = b.Node("ReduceSum", [mask, axis1], OnnxAttr.Int("keepdims", 1));
        string pooled = b.Node("Div", [sum, b.Node("Clip", [count, b.AddScalar("one", 1f)])]);
        if (lookup.Pooling == Word2VecPooling.MinMeanMax)
        {
            // Masked-out positions get -3e38 before the max (and +3e38 before the min, as -max(-x)); rows without tokens become zeros.
            string mask3 = b.Node("Unsqueeze", [mask, b.AddInt64s("axis2", 2)]);
            string penalty = b.Node("Mul", [b.Node("Sub", [b.AddScalar("one_f", 1f), mask3]), b.AddScalar("huge", 3e38f)]);
            string any = b.Node("Clip", [count, b.AddScalar("zero_f", 0f), b.AddScalar("one_max", 1f)]);
            string max = b.Node("ReduceMax", [b.Node("Sub", [vectors, penalty])], OnnxAttr.Ints("axes", 1L), OnnxAttr.Int("keepdims", 0));
            string negMax = b.Node("ReduceMax", [b.Node("Sub", [b.Node("Neg", [vectors]), penalty])], OnnxAttr.Ints("axes", 1L), OnnxAttr.Int("keepdims", 0));
            string min = b.Node("Neg", [negMax]);
            pooled = b.Node("Concat", [b.Node("Mul", [min, any]), pooled, b.Node("Mul", [max, any])], OnnxAttr.Int("axis", 1));
        }
        var sample = ctx.Sample(ids);
        int batch = sample.Size(0), sequence = sample.Size(1);
        ctx.SetSample(vectors, Tensor.Zeros(batch, sequence, lookup.VectorSize));
        ctx.SetSample(pooled, Tensor.Zeros(batch, lookup.PooledSize));
        return [vectors, pooled];
    }

#pragma warning disable CA2255 // registration must happen before any export, as soon as the assembly loads
    [ModuleInitializer]
    internal static void Register() => OnnxExportRegistry.Default.Register<Word2VecLookup>(ExportLookup);
#pragma warning restore CA2255
}
