using MLNetDeep.OnnxExport.Schema;
using MLNetDeep.Tensors.Nn;

namespace MLNetDeep.OnnxExport.Exporters;

/// <summary>Exporters of the structural layers: Sequential, Linear, Flatten, Dropout, Embedding.</summary>
public static class CoreExporters
{
    /// <summary>Registers them.</summary>
    /// <param name="registry">The registry to fill.</param>
    public static void Register(OnnxExportRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.Register<Sequential>(ExportSequential);
        registry.Register<Linear>(ExportLinear);
        registry.Register<Flatten>(ExportFlatten);
        registry.Register<Dropout>((ctx, m, inputs) => [Single(inputs, "Dropout")]);
        registry.Register<Embedding>(ExportEmbedding);
    }

    /// <summary>The one input of a single-input module.</summary>
    /// <param name="inputs">Input names.</param>
    /// <param name="module">Module type name for the message.</param>
    public static string Single(IReadOnlyList<string> inputs, string module)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count != 1) throw new OnnxExportException($"{module} takes one input, got {inputs.Count}.");
        return inputs[0];
    }

    private static IReadOnlyList<string> ExportSequential(OnnxExportContext ctx, Sequential seq, IReadOnlyList<string> inputs)
    {
        string x = Single(inputs, "Sequential");
        for (int i = 0; i < seq.Count; i++) x = ctx.Export(seq[i], [x])[0];
        return [x];
    }

    // y = x·Wᵀ + b: Gemm(transB) for traced 2-D inputs; MatMul with a pre-transposed weight, then Add, otherwise.
    private static IReadOnlyList<string> ExportLinear(OnnxExportContext ctx, Linear linear, IReadOnlyList<string> inputs)
    {
        string x = Single(inputs, "Linear");
        if (ctx.TryRank(x) == 2)
        {
            var gemmInputs = new List<string> { x, ctx.Parameter("weight", linear.Weight) };
            if (linear.Bias is not null) gemmInputs.Add(ctx.Parameter("bias", linear.Bias));
            return [ctx.Node("Gemm", gemmInputs, OnnxAttr.Float("alpha", 1f), OnnxAttr.Float("beta", 1f), OnnxAttr.Int("transB", 1))];
        }
        string y = ctx.Node("MatMul", [x, ctx.Initializer("weight_t", linear.Weight.T.Contiguous())]);
        if (linear.Bias is not null) y = ctx.Node("Add", [y, ctx.Parameter("bias", linear.Bias)]);
        return [y];
    }

    // Merges axes [start, end]: Reshape to [0]*start + [-1] when end is the last axis, else a shape built
    // from Shape/Slice/Concat so the kept axes stay dynamic.
    private static IReadOnlyList<string> ExportFlatten(OnnxExportContext ctx, Flatten flatten, IReadOnlyList<string> inputs)
    {
        string x = Single(inputs, "Flatten");
        int rank = ctx.Rank(x);
        if (rank == 0) return [ctx.Node("Reshape", [x, ctx.Builder.AddInt64s("shape", -1)])];
        int start = flatten.StartDim < 0 ? flatten.StartDim + rank : flatten.StartDim;
        int end = flatten.EndDim < 0 ? flatten.EndDim + rank : flatten.EndDim;
        if (start < 0 || end >= rank || start > end)
            throw new OnnxExportException($"Flatten({flatten.StartDim}, {flatten.EndDim}) does not fit an input of rank {rank}.", valueName: x, modulePath: ctx.ModulePath);
        if (start == end) return [x];
        if (end == rank - 1)
        {
            var shape = new long[start + 1];
            shape[start] = -1;
            return [ctx.Node("Reshape", [x, ctx.Builder.AddInt64s("shape", shape)])];
        }
        string full = ctx.Node("Shape", [x]);
        var parts = new List<string>();
        if (start > 0) parts.Add(ShapeSlice(ctx, full, 0, start));
        parts.Add(ctx.Builder.AddInt64s("minus_one", -1));
        parts.Add(ShapeSlice(ctx, full, end + 1, rank));
        string target = ctx.Node("Concat", parts, OnnxAttr.Int("axis", 0));
        return [ctx.Node("Reshape", [x, target])];
    }

    /// <summary>shape[start:end] of a Shape output, as a 1-D int64 value.</summary>
    /// <param name="ctx">Export context.</param>
    /// <param name="shape">A Shape node's output.</param>
    /// <param name="start">First axis.</param>
    /// <param name="end">One past the last axis.</param>
    public static string ShapeSlice(OnnxExportContext ctx, string shape, int start, int end)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        return ctx.Node("Slice", [shape, ctx.Builder.AddInt64s("starts", start), ctx.Builder.AddInt64s("ends", end), ctx.Builder.AddInt64s("axes", 0)]);
    }

    private static IReadOnlyList<string> ExportEmbedding(OnnxExportContext ctx, Embedding embedding, IReadOnlyList<string> inputs)
    {
        string ids = Single(inputs, "Embedding");
        return [ctx.Node("Gather", [ctx.Parameter("weight", embedding.Weight), ids], OnnxAttr.Int("axis", 0))];
    }
}
