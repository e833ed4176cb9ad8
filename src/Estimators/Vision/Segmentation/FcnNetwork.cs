using System.Runtime.CompilerServices;
using MLNetDeep.OnnxExport;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;

namespace MLNetDeep.Estimators.Vision.Segmentation;

/// <summary>
/// A small fully convolutional segmenter: three stride-2 3×3 convolution blocks down (conv, batch norm, ReLU; to
/// 1/2, 1/4 and 1/8 of the input), then three 4×4 stride-2 transposed convolutions up, the first two followed by
/// batch norm and ReLU and each added to the encoder map of the same size (skip connections). Output: per-pixel
/// logits <c>[batch, classes, S, S]</c> (class 0 = background). Exported to ONNX by the registered exporter
/// (Conv / BatchNormalization / Relu / ConvTranspose / Add).
/// </summary>
public sealed class FcnNetwork : Module<Tensor, Tensor>
{
    private readonly Sequential _down1, _down2, _down3, _up3, _up2;
    private readonly ConvTranspose2d _up1;

    /// <summary>Creates the network.</summary>
    /// <param name="classes">Output classes, background included.</param>
    /// <param name="width">Channels of the first block (then 2× and 4×).</param>
    /// <param name="generator">Random source of the initialisation.</param>
    public FcnNetwork(int classes, int width, Generator generator)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 2);
        Classes = classes;
        Width = width;
        _down1 = RegisterModule("down1", Down(3, width, generator));
        _down2 = RegisterModule("down2", Down(width, 2 * width, generator));
        _down3 = RegisterModule("down3", Down(2 * width, 4 * width, generator));
        _up3 = RegisterModule("up3", Up(4 * width, 2 * width, generator));
        _up2 = RegisterModule("up2", Up(2 * width, width, generator));
        _up1 = RegisterModule("up1", new ConvTranspose2d(width, classes, 4, 2, 1, generator: generator));
    }

    /// <summary>Output classes, background included.</summary>
    public int Classes { get; }

    /// <summary>Channels of the first block.</summary>
    public int Width { get; }

    private static Sequential Down(int inChannels, int outChannels, Generator g) =>
        new(new Conv2d(inChannels, outChannels, 3, 2, 1, bias: false, generator: g), new BatchNorm2d(outChannels), new ReLU());

    private static Sequential Up(int inChannels, int outChannels, Generator g) =>
        new(new ConvTranspose2d(inChannels, outChannels, 4, 2, 1, bias: false, generator: g), new BatchNorm2d(outChannels), new ReLU());

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != 4 || input.Size(1) != 3 || input.Size(2) % 8 != 0 || input.Size(3) % 8 != 0)
            throw new ArgumentException($"FcnNetwork expects [batch, 3, H, W] with H and W multiples of 8, got [{string.Join(", ", input.Shape.ToArray())}].", nameof(input));
        var e1 = _down1.Forward(input);
        var e2 = _down2.Forward(e1);
        var e3 = _down3.Forward(e2);
        var d2 = _up3.Forward(e3).Add(e2);
        var d1 = _up2.Forward(d2).Add(e1);
        return _up1.Forward(d1);
    }

    private static IReadOnlyList<string> Export(OnnxExportContext ctx, FcnNetwork net, IReadOnlyList<string> inputs)
    {
        if (inputs.Count != 1) throw new OnnxExportException($"FcnNetwork takes one input (image), got {inputs.Count}.");
        var b = ctx.Builder;
        string e1 = ctx.Export(net._down1, inputs)[0];
        string e2 = ctx.Export(net._down2, [e1])[0];
        string e3 = ctx.Export(net._down3, [e2])[0];
        string d2 = b.Node("Add", [ctx.Export(net._up3, [e3])[0], e2]);
        ctx.SetSample(d2, ctx.Sample(e2));
        string d1 = b.Node("Add", [ctx.Export(net._up2, [d2])[0], e1]);
        ctx.SetSample(d1, ctx.Sample(e1));
        return ctx.Export(net._up1, [d1]);
    }

#pragma warning disable CA2255 // registration must happen before any export, as soon as the assembly loads
    [ModuleInitializer]
    internal static void Register() => OnnxExportRegistry.Default.Register<FcnNetwork>(Export);
#pragma warning restore CA2255
}
