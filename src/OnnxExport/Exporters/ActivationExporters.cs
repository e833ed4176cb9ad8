using MLNetDeep.Tensors.Nn;

namespace MLNetDeep.OnnxExport.Exporters;

/// <summary>Exporters of the activation modules.</summary>
public static class ActivationExporters
{
    /// <summary>Registers them.</summary>
    /// <param name="registry">The registry to fill.</param>
    public static void Register(OnnxExportRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.Register<ReLU>((ctx, m, i) => [ctx.Node("Relu", [CoreExporters.Single(i, "ReLU")])]);
        registry.Register<Sigmoid>((ctx, m, i) => [ctx.Node("Sigmoid", [CoreExporters.Single(i, "Sigmoid")])]);
        registry.Register<Tanh>((ctx, m, i) => [ctx.Node("Tanh", [CoreExporters.Single(i, "Tanh")])]);
        registry.Register<LeakyReLU>((ctx, m, i) =>
            [ctx.Node("LeakyRelu", [CoreExporters.Single(i, "LeakyReLU")], OnnxAttr.Float("alpha", (float)m.NegativeSlope))]);
        registry.Register<Softmax>((ctx, m, i) => [ctx.Node("Softmax", [CoreExporters.Single(i, "Softmax")], OnnxAttr.Int("axis", m.Dim))]);
        registry.Register<LogSoftmax>((ctx, m, i) => [ctx.Node("LogSoftmax", [CoreExporters.Single(i, "LogSoftmax")], OnnxAttr.Int("axis", m.Dim))]);
        registry.Register<GELU>((ctx, m, i) => [Gelu(ctx, CoreExporters.Single(i, "GELU"), m.TanhApproximation)]);
    }

    /// <summary>
    /// GELU from basic operators (the Gelu operator only exists from opset 20): 0.5·x·(1 + erf(x/√2)),
    /// or with the tanh form 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
    /// </summary>
    /// <param name="ctx">Export context.</param>
    /// <param name="x">Input value.</param>
    /// <param name="tanhApproximation">Use the tanh form.</param>
    public static string Gelu(OnnxExportContext ctx, string x, bool tanhApproximation)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        string inner;
        if (!tanhApproximation)
        {
            inner = ctx.Node("Erf", [ctx.Node("Mul", [x, ctx.Scalar(0.7071067811865476, x)])]);
        }
        else
        {
            string cube = ctx.Node("Mul", [ctx.Node("Mul", [x, x]), x]);
            string sum = ctx.Node("Add", [x, ctx.Node("Mul", [cube, ctx.Scalar(0.044715, x)])]);
            inner = ctx.Node("Tanh", [ctx.Node("Mul", [sum, ctx.Scalar(0.7978845608028654, x)])]);
        }
        string onePlus = ctx.Node("Add", [inner, ctx.Scalar(1.0, x)]);
        return ctx.Node("Mul", [ctx.Node("Mul", [x, onePlus]), ctx.Scalar(0.5, x)]);
    }
}
