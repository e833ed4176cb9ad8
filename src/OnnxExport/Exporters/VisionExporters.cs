using MLNetDeep.OnnxExport.Schema;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;

namespace MLNetDeep.OnnxExport.Exporters;

/// <summary>
/// Exporters of the vision layers: Conv2d → Conv, ConvTranspose2d → ConvTranspose, MaxPool2d → MaxPool,
/// AvgPool2d → AveragePool, AdaptiveAvgPool2d → GlobalAveragePool (1×1) or two MatMuls with pooling
/// matrices, BatchNorm1d/2d (evaluation) → BatchNormalization, Upsample → Resize, ReLU6 → Clip,
/// Hardswish → HardSwish (opset 14+, else x·HardSigmoid(x)).
/// </summary>
public static class VisionExporters
{
    /// <summary>Registers them.</summary>
    /// <param name="registry">The registry to fill.</param>
    public static void Register(OnnxExportRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.Register<Conv2d>(ExportConv);
        registry.Register<ConvTranspose2d>(ExportConvTranspose);
        registry.Register<MaxPool2d>((ctx, m, i) => [ctx.Node("MaxPool", [CoreExporters.Single(i, "MaxPool2d")],
            OnnxAttr.Ints("kernel_shape", m.KernelSize, m.KernelSize), OnnxAttr.Ints("strides", m.Stride, m.Stride),
            OnnxAttr.Ints("pads", m.Padding, m.Padding, m.Padding, m.Padding), OnnxAttr.Ints("dilations", m.Dilation, m.Dilation),
            OnnxAttr.Int("ceil_mode", m.CeilMode ? 1 : 0))]);
        registry.Register<AvgPool2d>((ctx, m, i) => [ctx.Node("AveragePool", [CoreExporters.Single(i, "AvgPool2d")],
            OnnxAttr.Ints("kernel_shape", m.KernelSize, m.KernelSize), OnnxAttr.Ints("strides", m.Stride, m.Stride),
            OnnxAttr.Ints("pads", m.Padding, m.Padding, m.Padding, m.Padding), OnnxAttr.Int("ceil_mode", m.CeilMode ? 1 : 0),
            OnnxAttr.Int("count_include_pad", m.CountIncludePad ? 1 : 0))]);
        registry.Register<AdaptiveAvgPool2d>(ExportAdaptiveAvgPool);
        registry.Register<BatchNormBase>(ExportBatchNorm);
        registry.Register<Upsample>(ExportUpsample);
        registry.Register<ReLU6>((ctx, m, i) => [ctx.Node("Clip", [CoreExporters.Single(i, "ReLU6"), ctx.Scalar(0, i[0]), ctx.Scalar(6, i[0])])]);
        registry.Register<Hardswish>((ctx, m, i) =>
        {
            string x = CoreExporters.Single(i, "Hardswish");
            if (ctx.Opset >= 14) return [ctx.Node("HardSwish", [x])];
            return [ctx.Node("Mul", [x, ctx.Node("HardSigmoid", [x], OnnxAttr.Float("alpha", 1f / 6), OnnxAttr.Float("beta", 0.5f))])];
        });
        VisionBlockExporters.Register(registry);
    }

    private static IReadOnlyList<string> ExportConv(OnnxExportContext ctx, Conv2d conv, IReadOnlyList<string> inputs)
    {
        var nodeInputs = new List<string> { CoreExporters.Single(inputs, "Conv2d"), ctx.Parameter("weight", conv.Weight) };
        if (conv.Bias is not null) nodeInputs.Add(ctx.Parameter("bias", conv.Bias));
        return [ctx.Node("Conv", nodeInputs,
            OnnxAttr.Ints("kernel_shape", conv.KernelSize.H, conv.KernelSize.W),
            OnnxAttr.Ints("strides", conv.Stride.H, conv.Stride.W),
            OnnxAttr.Ints("pads", conv.Padding.H, conv.Padding.W, conv.Padding.H, conv.Padding.W),
            OnnxAttr.Ints("dilations", conv.Dilation.H, conv.Dilation.W),
            OnnxAttr.Int("group", conv.Groups))];
    }

    // Same weight layout as torch ([in, out/groups, kh, kw]); output size = stride·(in − 1) + output_padding + dilation·(k − 1) + 1 − 2·pad.
    private static IReadOnlyList<string> ExportConvTranspose(OnnxExportContext ctx, ConvTranspose2d conv, IReadOnlyList<string> inputs)
    {
        var nodeInputs = new List<string> { CoreExporters.Single(inputs, "ConvTranspose2d"), ctx.Parameter("weight", conv.Weight) };
        if (conv.Bias is not null) nodeInputs.Add(ctx.Parameter("bias", conv.Bias));
        return [ctx.Node("ConvTranspose", nodeInputs,
            OnnxAttr.Ints("kernel_shape", conv.KernelSize.H, conv.KernelSize.W),
            OnnxAttr.Ints("strides", conv.Stride.H, conv.Stride.W),
            OnnxAttr.Ints("pads", conv.Padding.H, conv.Padding.W, conv.Padding.H, conv.Padding.W),
            OnnxAttr.Ints("output_padding", conv.OutputPadding.H, conv.OutputPadding.W),
            OnnxAttr.Ints("dilations", conv.Dilation.H, conv.Dilation.W),
            OnnxAttr.Int("group", conv.Groups))];
    }

    // 1×1 output: GlobalAveragePool. Otherwise y = P_h · x · P_wᵀ with averaging matrices for the traced
    // input's height and width (so the spatial size is fixed at export).
    private static IReadOnlyList<string> ExportAdaptiveAvgPool(OnnxExportContext ctx, AdaptiveAvgPool2d pool, IReadOnlyList<string> inputs)
    {
        string x = CoreExporters.Single(inputs, "AdaptiveAvgPool2d");
        var (oh, ow) = pool.OutputSize;
        if (oh == 1 && ow == 1) return [ctx.Node("GlobalAveragePool", [x])];
        var sample = ctx.Sample(x);
        int h = sample.Size(-2), w = sample.Size(-1);
        string ph = ctx.Initializer("pool_rows", PoolingMatrix(h, oh, sample.DType));
        string pwT = ctx.Initializer("pool_cols_t", PoolingMatrix(w, ow, sample.DType).T.Contiguous());
        return [ctx.Node("MatMul", [ph, ctx.Node("MatMul", [x, pwT])])];
    }

    // [outSize, inSize]: row a averages inputs [⌊a·in/out⌋, ⌈(a+1)·in/out⌉).
    private static Tensor PoolingMatrix(int inSize, int outSize, DType dtype)
    {
        var m = new double[outSize * inSize];
        for (int a = 0; a < outSize; a++)
        {
            int start = (int)Math.Floor((double)a * inSize / outSize);
            int end = (int)Math.Ceiling((double)(a + 1) * inSize / outSize);
            for (int i = start; i < end; i++) m[a * inSize + i] = 1.0 / (end - start);
        }
        return Tensor.FromArray(m, outSize, inSize).To(dtype);
    }

    private static IReadOnlyList<string> ExportBatchNorm(OnnxExportContext ctx, BatchNormBase bn, IReadOnlyList<string> inputs)
    {
        string x = CoreExporters.Single(inputs, bn.GetType().Name);
        if (bn.RunningMean is null || bn.RunningVar is null)
            throw new OnnxExportException($"{bn.GetType().Name} '{ctx.ModulePath}' has no running statistics (trackRunningStats: false); " +
                "it normalizes with batch statistics even in evaluation mode, which ONNX inference cannot express.", modulePath: ctx.ModulePath);
        int c = bn.NumFeatures;
        var dtype = bn.RunningMean.DType;
        string scale = bn.Weight is not null ? ctx.Parameter("weight", bn.Weight) : ctx.Initializer("unit_weight", Tensor.Ones([c], dtype));
        string bias = bn.Bias is not null ? ctx.Parameter("bias", bn.Bias) : ctx.Initializer("zero_bias", Tensor.Zeros([c], dtype));
        return [ctx.Node("BatchNormalization", [x, scale, bias, ctx.Parameter("running_mean", bn.RunningMean), ctx.Parameter("running_var", bn.RunningVar)],
            OnnxAttr.Float("epsilon", (float)bn.Eps))];
    }

    // nearest: asymmetric coordinates with floor (PyTorch's "nearest"); bilinear: pytorch_half_pixel, or align_corners.
    private static IReadOnlyList<string> ExportUpsample(OnnxExportContext ctx, Upsample up, IReadOnlyList<string> inputs)
    {
        string x = CoreExporters.Single(inputs, "Upsample");
        bool bilinear = up.Mode == "bilinear";
        var attrs = new List<AttributeProto>
        {
            OnnxAttr.String("mode", bilinear ? "linear" : "nearest"),
            OnnxAttr.String("coordinate_transformation_mode", !bilinear ? "asymmetric" : up.AlignCorners == true ? "align_corners" : "pytorch_half_pixel"),
        };
        if (!bilinear) attrs.Add(OnnxAttr.String("nearest_mode", "floor"));
        List<string> nodeInputs;
        if (up.ScaleFactor is { } s)
        {
            float sh = (float)s[0], sw = (float)s[^1];
            nodeInputs = [x, "", ctx.Builder.AddFloats("scales", [1f, 1f, sh, sw], 4)];
        }
        else
        {
            var size = up.Size!;
            string batchChannels = CoreExporters.ShapeSlice(ctx, ctx.Node("Shape", [x]), 0, 2);
            string sizes = ctx.Node("Concat", [batchChannels, ctx.Builder.AddInt64s("spatial_size", size[0], size[^1])], OnnxAttr.Int("axis", 0));
            nodeInputs = [x, "", "", sizes];
        }
        return [ctx.Builder.AddNode("Resize", nodeInputs, 1, attrs, docString: $"{ctx.ModulePath} (Upsample)")[0]];
    }
}
