namespace MLNetDeep.Tensors.Nn;

/// <summary>
/// MobileNet v1 depthwise-separable block: a 3×3 depthwise convolution (groups = channels, optional stride),
/// batch norm, ReLU, then a 1×1 pointwise convolution, batch norm, ReLU. Children: "depthwise", "bn1", "pointwise", "bn2".
/// </summary>
public sealed class DepthwiseSeparableBlock : Module<Tensor, Tensor>
{
    private readonly Conv2d _depthwise, _pointwise;
    private readonly BatchNorm2d _bn1, _bn2;

    /// <summary>Creates the block.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="stride">Stride of the depthwise convolution.</param>
    /// <param name="generator">Random source for the initialization.</param>
    /// <param name="dtype">Parameter dtype.</param>
    public DepthwiseSeparableBlock(int inChannels, int outChannels, int stride = 1, Generator? generator = null, DType dtype = DType.Float32)
    {
        var g = generator ?? Generator.Default;
        _depthwise = RegisterModule("depthwise", new Conv2d(inChannels, inChannels, 3, stride, 1, groups: inChannels, bias: false, generator: g, dtype: dtype));
        _bn1 = RegisterModule("bn1", new BatchNorm2d(inChannels, dtype: dtype));
        _pointwise = RegisterModule("pointwise", new Conv2d(inChannels, outChannels, 1, bias: false, generator: g, dtype: dtype));
        _bn2 = RegisterModule("bn2", new BatchNorm2d(outChannels, dtype: dtype));
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) =>
        _bn2.Forward(_pointwise.Forward(_bn1.Forward(_depthwise.Forward(input)).Relu())).Relu();
}
