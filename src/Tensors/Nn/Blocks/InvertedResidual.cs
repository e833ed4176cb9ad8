namespace MLNetDeep.Tensors.Nn;

/// <summary>
/// MobileNet v2 inverted residual (torchvision.models.mobilenetv2.InvertedResidual): an optional 1×1 expansion to
/// round(in·expandRatio) channels (conv, batch norm, ReLU6), a 3×3 depthwise convolution with the stride
/// (conv, batch norm, ReLU6), and a linear 1×1 projection (conv, batch norm, no activation); the input is
/// added back when the stride is 1 and in = out. All convolutions are bias-free. The child "conv" is laid out
/// as torchvision's, so parameter names match (conv.0.0.weight, conv.0.1.running_var, …, conv.2.weight, conv.3.bias).
/// </summary>
public sealed class InvertedResidual : Module<Tensor, Tensor>
{
    private readonly Sequential _conv;

    /// <summary>Whether the input is added to the output.</summary>
    public bool UseResidual { get; }

    /// <summary>Creates the block.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="stride">1 or 2, applied by the depthwise convolution.</param>
    /// <param name="expandRatio">Expansion factor of the hidden width (1: no expansion layer).</param>
    /// <param name="generator">Random source for the initialization.</param>
    /// <param name="dtype">Parameter dtype.</param>
    public InvertedResidual(int inChannels, int outChannels, int stride, double expandRatio, Generator? generator = null, DType dtype = DType.Float32)
    {
        if (stride is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(stride), stride, "stride must be 1 or 2.");
        var g = generator ?? Generator.Default;
        int hidden = (int)Math.Round(inChannels * expandRatio, MidpointRounding.ToEven);
        UseResidual = stride == 1 && inChannels == outChannels;
        var layers = new List<Module<Tensor, Tensor>>();
        if (expandRatio != 1)
            layers.Add(ConvBnRelu6(inChannels, hidden, 1, 1, 1, g, dtype));
        layers.Add(ConvBnRelu6(hidden, hidden, 3, stride, hidden, g, dtype));
        layers.Add(new Conv2d(hidden, outChannels, 1, bias: false, generator: g, dtype: dtype));
        layers.Add(new BatchNorm2d(outChannels, dtype: dtype));
        _conv = RegisterModule("conv", new Sequential(layers.ToArray()));
    }

    /// <summary>torchvision's Conv2dNormActivation with ReLU6: [conv (padding (k−1)/2, no bias), batch norm, ReLU6].</summary>
    internal static Sequential ConvBnRelu6(int inChannels, int outChannels, int kernel, int stride, int groups, Generator g, DType dtype) =>
        new(new Conv2d(inChannels, outChannels, kernel, stride, (kernel - 1) / 2, groups: groups, bias: false, generator: g, dtype: dtype),
            new BatchNorm2d(outChannels, dtype: dtype), new ReLU6());

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        var y = _conv.Forward(input);
        return UseResidual ? input.Add(y) : y;
    }
}
