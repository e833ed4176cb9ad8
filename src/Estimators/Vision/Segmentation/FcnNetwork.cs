using System.Runtime.CompilerServices;
using MLNetDeep.OnnxExport;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;

namespace MLNetDeep.Estimators.Vision.Segmentation;

/// <summary>
/// A fully convolutional segmenter (FCN) on the MobileNet-style backbone of the detector (<see cref="MobileNetStages"/>:
/// maps at 1/2, 1/4, 1/8, 1/16 and 1/32 of the input, so that each pixel's class is decided from a wide context).
/// The decoder goes back up with 4×4 stride-2 transposed convolutions, each but the last followed by batch norm and
/// ReLU and added to the encoder map of the same size (skip connections); the last one gives per-pixel logits
/// <c>[batch, classes, H, W]</c> (class 0 = background). Exported to ONNX by the registered exporter
/// (Conv / BatchNormalization / Clip / ConvTranspose / Relu / Add).
/// </summary>
public sealed class FcnNetwork : Module<Tensor, Tensor>
{
    private readonly Sequential _stem, _stage1, _stage2, _stage3, _stage4, _up4, _up3, _up2, _up1;
    private readonly ConvTranspose2d _logits;

    /// <summary>Creates the network.</summary>
    /// <param name="classes">Output classes, background included.</param>
    /// <param name="width">Channels of the stem (the stages have 1.5, 2, 4 and 6 times as many).</param>
    /// <param name="depth">Stride-1 blocks after the first block of each encoder stage.</param>
    /// <param name="generator">Random source of the initialisation.</param>
    public FcnNetwork(int classes, int width, int depth, Generator generator)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 2);
        ArgumentOutOfRangeException.ThrowIfNegative(depth);
        Classes = classes;
        Width = width;
        Depth = depth;
        var c = MobileNetStages.Channels(width);
        _stem = RegisterModule("stem", MobileNetStages.Stem(width, generator));
        _stage1 = RegisterModule("stage1", MobileNetStages.Stage(1, width, depth, generator));
        _stage2 = RegisterModule("stage2", MobileNetStages.Stage(2, width, depth, generator));
        _stage3 = RegisterModule("stage3", MobileNetStages.Stage(3, width, depth, generator));
        _stage4 = RegisterModule("stage4", MobileNetStages.Stage(4, width, depth, generator));
        _up4 = RegisterModule("up4", Up(c[4], c[3], generator));
        _up3 = RegisterModule("up3", Up(c[3], c[2], generator));
        _up2 = RegisterModule("up2", Up(c[2], c[1], generator));
        _up1 = RegisterModule("up1", Up(c[1], c[0], generator));
        _logits = RegisterModule("logits", new ConvTranspose2d(c[0], classes, 4, 2, 1, generator: generator));
    }

    /// <summary>Input sides must be multiples of this (the encoder's total stride).</summary>
    public const int Stride = 32;

    /// <summary>Output classes, background included.</summary>
    public int Classes { get; }

    /// <summary>Channels of the stem.</summary>
    public int Width { get; }

    /// <summary>Stride-1 blocks after the first block of each encoder stage.</summary>
    public int Depth { get; }

    private static Sequential Up(int inChannels, int outChannels, Generator g) =>
        new(new ConvTranspose2d(inChannels, outChannels, 4, 2, 1, bias: false, generator: g), new BatchNorm2d(outChannels), new ReLU());

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != 4 || input.Size(1) != 3 || input.Size(2) % Stride != 0 || input.Size(3) % Stride != 0)
            throw new ArgumentException($"FcnNetwork expects [batch, 3, H, W] with H and W multiples of {Stride}, got [{string.Join(", ", input.Shape.ToArray())}].", nameof(input));
        var e0 = _stem.Forward(input);
        var e1 = _stage1.Forward(e0);
        var e2 = _stage2.Forward(e1);
        var e3 = _stage3.Forward(e2);
        var e4 = _stage4.Forward(e3);
        var d3 = _up4.Forward(e4).Add(e3);
        var d2 = _up3.Forward(d3).Add(e2);
        var d1 = _up2.Forward(d2).Add(e1);
        var d0 = _up1.Forward(d1).Add(e0);
        return _logits.Forward(d0);
    }

    private static IReadOnlyList<string> Export(OnnxExportContext ctx, FcnNetwork net, IReadOnlyList<string> inputs)
    {
        if (inputs.Count != 1) throw new OnnxExportException($"FcnNetwork takes one input (image), got {inputs.Count}.");
        var b = ctx.Builder;
        var encoder = new List<string> { ctx.Export(net._stem, inputs, "stem")[0] };
        foreach (var (stage, name) in new[] { (net._stage1, "stage1"), (net._stage2, "stage2"), (net._stage3, "stage3"), (net._stage4, "stage4") })
            encoder.Add(ctx.Export(stage, [encoder[^1]], name)[0]);
        string x = encoder[4];
        var ups = new[] { (net._up4, "up4"), (net._up3, "up3"), (net._up2, "up2"), (net._up1, "up1") };
        for (int k = 0; k < 4; k++)
        {
            string skip = encoder[3 - k];
            x = b.Node("Add", [ctx.Export(ups[k].Item1, [x], ups[k].Item2)[0], skip]);
            ctx.SetSample(x, ctx.Sample(skip));
        }
        return ctx.Export(net._logits, [x], "logits");
    }

#pragma warning disable CA2255 // registration must happen before any export, as soon as the assembly loads
    [ModuleInitializer]
    internal static void Register() => OnnxExportRegistry.Default.Register<FcnNetwork>(Export);
#pragma warning restore CA2255
}
