using MLNetDeep.Tensors.Nn;

namespace MLNetDeep.OnnxExport.Exporters;

/// <summary>
/// Exporters of the composite vision blocks (ResNet BasicBlock, DenseNet DenseLayer/DenseBlock/Transition,
/// MobileNet DepthwiseSeparableBlock/InvertedResidual), written from their registered children so the
/// initializers keep torchvision's parameter names.
/// </summary>
public static class VisionBlockExporters
{
    /// <summary>Registers them.</summary>
    /// <param name="registry">The registry to fill.</param>
    public static void Register(OnnxExportRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.Register<BasicBlock>((ctx, m, i) =>
        {
            string x = CoreExporters.Single(i, "BasicBlock");
            string y = Chain(ctx, m, x, "conv1", "bn1", "relu", "conv2", "bn2");
            string shortcut = m.HasDownsample ? Chain(ctx, m, x, "downsample") : x;
            return [ctx.Node("Relu", [ctx.Node("Add", [y, shortcut])])];
        });
        registry.Register<DenseLayer>((ctx, m, i) => [Chain(ctx, m, CoreExporters.Single(i, "DenseLayer"), "norm1", "relu1", "conv1", "norm2", "relu2", "conv2")]);
        registry.Register<DenseBlock>((ctx, m, i) =>
        {
            var features = new List<string> { CoreExporters.Single(i, "DenseBlock") };
            foreach (var (_, layer) in m.NamedChildren())
            {
                string input = features.Count == 1 ? features[0] : ctx.Node("Concat", features, OnnxAttr.Int("axis", 1));
                features.Add(ctx.Export(layer, [input])[0]);
            }
            return [ctx.Node("Concat", features, OnnxAttr.Int("axis", 1))];
        });
        registry.Register<Transition>((ctx, m, i) => [Chain(ctx, m, CoreExporters.Single(i, "Transition"), "norm", "relu", "conv", "pool")]);
        registry.Register<DepthwiseSeparableBlock>((ctx, m, i) =>
            [ctx.Node("Relu", [Chain(ctx, m, ctx.Node("Relu", [Chain(ctx, m, CoreExporters.Single(i, "DepthwiseSeparableBlock"), "depthwise", "bn1")]), "pointwise", "bn2")])]);
        registry.Register<InvertedResidual>((ctx, m, i) =>
        {
            string x = CoreExporters.Single(i, "InvertedResidual");
            string y = Chain(ctx, m, x, "conv");
            return [m.UseResidual ? ctx.Node("Add", [x, y]) : y];
        });
    }

    /// <summary>Exports the named children of <paramref name="parent"/> one after the other.</summary>
    /// <param name="ctx">Export context.</param>
    /// <param name="parent">The block.</param>
    /// <param name="x">Input value.</param>
    /// <param name="children">Registered child names, in application order.</param>
    public static string Chain(OnnxExportContext ctx, Module parent, string x, params string[] children)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(parent);
        var byName = parent.NamedChildren().ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);
        foreach (var name in children)
        {
            if (!byName.TryGetValue(name, out var child))
                throw new OnnxExportException($"{parent.GetType().Name} '{ctx.ModulePath}' has no child '{name}'.", modulePath: ctx.ModulePath);
            x = ctx.Export(child, [x], name)[0];
        }
        return x;
    }
}
