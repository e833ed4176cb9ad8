using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;

namespace MLNetDeep.OnnxExport.Exporters;

/// <summary>Exporter of <see cref="LayerNorm"/>: LayerNormalization from opset 17, a decomposition before.</summary>
public static class NormalizationExporters
{
    /// <summary>Registers it.</summary>
    /// <param name="registry">The registry to fill.</param>
    public static void Register(OnnxExportRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.Register<LayerNorm>((ctx, m, inputs) => [LayerNorm(ctx, CoreExporters.Single(inputs, "LayerNorm"), m)]);
    }

    /// <summary>
    /// y = (x − mean)/√(var + eps)·weight + bias over the trailing <see cref="LayerNorm.NormalizedShape"/> axes.
    /// Opset 17+: one LayerNormalization node (axis = −k, unit scale when the layer has no weight). Older
    /// opsets: ReduceMean, Sub, Mul, ReduceMean, Add, Sqrt, Div, then Mul/Add by the parameters.
    /// </summary>
    /// <param name="ctx">Export context.</param>
    /// <param name="x">Input value.</param>
    /// <param name="norm">The layer.</param>
    public static string LayerNorm(OnnxExportContext ctx, string x, LayerNorm norm)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(norm);
        int k = norm.NormalizedShape.Length;
        if (ctx.Opset >= 17)
        {
            string scale = norm.Weight is not null ? ctx.Parameter("weight", norm.Weight) : ctx.Initializer("unit_weight", Tensor.Ones(norm.NormalizedShape));
            var inputs = new List<string> { x, scale };
            if (norm.Bias is not null) inputs.Add(ctx.Parameter("bias", norm.Bias));
            return ctx.Node("LayerNormalization", inputs, OnnxAttr.Int("axis", -k), OnnxAttr.Float("epsilon", (float)norm.Eps));
        }
        var axes = OnnxAttr.Ints("axes", Enumerable.Range(-k, k));
        string mean = ctx.Node("ReduceMean", [x], axes, OnnxAttr.Int("keepdims", 1));
        string centered = ctx.Node("Sub", [x, mean]);
        string variance = ctx.Node("ReduceMean", [ctx.Node("Mul", [centered, centered])], OnnxAttr.Ints("axes", Enumerable.Range(-k, k)), OnnxAttr.Int("keepdims", 1));
        string std = ctx.Node("Sqrt", [ctx.Node("Add", [variance, ctx.Scalar(norm.Eps, x)])]);
        string y = ctx.Node("Div", [centered, std]);
        if (norm.Weight is not null) y = ctx.Node("Mul", [y, ctx.Parameter("weight", norm.Weight)]);
        if (norm.Bias is not null) y = ctx.Node("Add", [y, ctx.Parameter("bias", norm.Bias)]);
        return y;
    }
}
