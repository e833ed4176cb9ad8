using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn.Quantized;

namespace MLNetDeep.OnnxExport.Exporters;

/// <summary>
/// Exporters of the int8 layers as QDQ graphs (opset ≥ 13): the input goes through QuantizeLinear → DequantizeLinear
/// with the calibrated uint8 (scale, zero point), the int8 weight initializer through a per-output-channel
/// DequantizeLinear (axis 0), then the float Conv / Gemm / MatMul (+ Relu when fused), which ONNX Runtime turns back into
/// integer kernels. The engine's activation codes use [0, 127], so a Clip to that range precedes each QuantizeLinear.
/// A convolution with a fused max pool ends with a MaxPool node (2×2, stride 2).
/// A dynamic QuantizedLinear exports its weights only (float activations), and so does a <see cref="QuantizedRecurrent"/>
/// (<see cref="QuantizedRecurrentExporter"/>).
/// </summary>
public static class QuantizedExporters
{
    /// <summary>Registers them.</summary>
    /// <param name="registry">The registry to fill.</param>
    public static void Register(OnnxExportRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.Register<QuantizedConv2d>(ExportConv);
        registry.Register<QuantizedLinear>(ExportLinear);
        registry.Register<QuantizedRecurrent>(QuantizedRecurrentExporter.Export);
    }

    private static string Name(OnnxExportContext ctx, string local) => ctx.ModulePath.Length == 0 ? local : ctx.ModulePath + "." + local;

    /// <summary>QuantizeLinear → DequantizeLinear of <paramref name="x"/> with a per-tensor uint8 (scale, zero point).</summary>
    private static string FakeQuantize(OnnxExportContext ctx, string x, (float Scale, int ZeroPoint) p)
    {
        string scale = ctx.Builder.AddInitializer(Name(ctx, "input_scale"), Tensor.Scalar(p.Scale));
        string zero = ctx.Builder.AddUInt8Initializer(Name(ctx, "input_zero_point"), [(byte)p.ZeroPoint]);
        // The engine's codes stop at 127 (see Int8Quantization): a Clip to that range makes the graph compute the same.
        string lo = ctx.Builder.AddScalar("code_min", -p.ZeroPoint * p.Scale);
        string hi = ctx.Builder.AddScalar("code_max", (127 - p.ZeroPoint) * p.Scale);
        string q = ctx.Node("QuantizeLinear", [ctx.Node("Clip", [x, lo, hi]), scale, zero]);
        return ctx.Node("DequantizeLinear", [q, scale, zero]);
    }

    /// <summary>DequantizeLinear of int8 weights (shape <paramref name="dims"/>) with per-slice scales along <paramref name="axis"/>.</summary>
    internal static string Weights(OnnxExportContext ctx, IReadOnlyList<sbyte> values, IReadOnlyList<float> scales, int[] dims, int axis, string local = "weight")
    {
        ctx.Builder.RequireOpset(13, "per-axis DequantizeLinear");
        string w = ctx.Builder.AddInt8Initializer(Name(ctx, local + "_int8"), values.ToArray(), dims);
        string s = ctx.Builder.AddInitializer(Name(ctx, local + "_scale"), Tensor.FromArray(scales.ToArray(), scales.Count));
        string z = ctx.Builder.AddInt8Initializer(Name(ctx, local + "_zero_point"), new sbyte[scales.Count], scales.Count);
        return ctx.Node("DequantizeLinear", [w, s, z], OnnxAttr.Int("axis", axis));
    }

    private static string? Bias(OnnxExportContext ctx, IReadOnlyList<float>? bias) =>
        bias is null ? null : ctx.Builder.AddInitializer(Name(ctx, "bias"), Tensor.FromArray(bias.ToArray(), bias.Count));

    private static IReadOnlyList<string> ExportConv(OnnxExportContext ctx, QuantizedConv2d conv, IReadOnlyList<string> inputs)
    {
        string x = FakeQuantize(ctx, CoreExporters.Single(inputs, "QuantizedConv2d"), conv.Input);
        string w = Weights(ctx, conv.WeightValues, conv.WeightScales, [conv.OutChannels, conv.InChannels, conv.KernelSize.H, conv.KernelSize.W], 0);
        var nodeInputs = new List<string> { x, w };
        if (Bias(ctx, conv.BiasValues) is { } b) nodeInputs.Add(b);
        string y = ctx.Node("Conv", nodeInputs,
            OnnxAttr.Ints("kernel_shape", conv.KernelSize.H, conv.KernelSize.W),
            OnnxAttr.Ints("strides", conv.Stride.H, conv.Stride.W),
            OnnxAttr.Ints("pads", conv.Padding.H, conv.Padding.W, conv.Padding.H, conv.Padding.W),
            OnnxAttr.Ints("dilations", conv.Dilation.H, conv.Dilation.W),
            OnnxAttr.Int("group", 1));
        if (conv.Relu) y = ctx.Node("Relu", [y]);
        return [conv.MaxPool ? ctx.Node("MaxPool", [y], OnnxAttr.Ints("kernel_shape", 2, 2), OnnxAttr.Ints("strides", 2, 2)) : y];
    }

    private static IReadOnlyList<string> ExportLinear(OnnxExportContext ctx, QuantizedLinear linear, IReadOnlyList<string> inputs)
    {
        string x = CoreExporters.Single(inputs, "QuantizedLinear");
        if (linear.Input is { } p) x = FakeQuantize(ctx, x, p);
        string? bias = Bias(ctx, linear.BiasValues);
        string y;
        if (ctx.TryRank(inputs[0]) == 2)
        {
            string w = Weights(ctx, linear.WeightValues, linear.WeightScales, [linear.OutFeatures, linear.InFeatures], 0);
            y = ctx.Node("Gemm", bias is null ? [x, w] : [x, w, bias], OnnxAttr.Int("transB", 1));
        }
        else
        {
            // [in, out] weights, dequantized along axis 1, for a MatMul over any leading dims.
            int i = linear.InFeatures, o = linear.OutFeatures;
            var t = new sbyte[i * o];
            for (int r = 0; r < o; r++)
                for (int c = 0; c < i; c++) t[c * o + r] = linear.WeightValues[r * i + c];
            y = ctx.Node("MatMul", [x, Weights(ctx, t, linear.WeightScales, [i, o], 1)]);
            if (bias is not null) y = ctx.Node("Add", [y, bias]);
        }
        return [linear.Relu ? ctx.Node("Relu", [y]) : y];
    }
}
