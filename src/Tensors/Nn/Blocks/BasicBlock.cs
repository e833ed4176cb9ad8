namespace MLNetDeep.Tensors.Nn;

/// <summary>
/// ResNet basic block (torchvision.models.resnet.BasicBlock, expansion 1): relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)),
/// 3×3 convolutions without bias. When the stride is not 1 or the channel count changes, the shortcut is
/// "downsample" = [1×1 strided convolution, batch norm] (torchvision's _make_layer); otherwise the identity.
/// Parameter names match torchvision's (conv1.weight, bn1.running_mean, downsample.0.weight, …).
/// </summary>
public sealed class BasicBlock : Module<Tensor, Tensor>
{
    private readonly Conv2d _conv1, _conv2;
    private readonly BatchNorm2d _bn1, _bn2;
    private readonly Sequential? _downsample;

    /// <summary>Creates the block.</summary>
    /// <param name="inPlanes">Input channels.</param>
    /// <param name="planes">Output channels.</param>
    /// <param name="stride">Stride of the first convolution (and of the shortcut).</param>
    /// <param name="generator">Random source for the initialization.</param>
    /// <param name="dtype">Parameter dtype.</param>
    public BasicBlock(int inPlanes, int planes, int stride = 1, Generator? generator = null, DType dtype = DType.Float32)
    {
        var g = generator ?? Generator.Default;
        _conv1 = RegisterModule("conv1", new Conv2d(inPlanes, planes, 3, stride, 1, bias: false, generator: g, dtype: dtype));
        _bn1 = RegisterModule("bn1", new BatchNorm2d(planes, dtype: dtype));
        RegisterModule("relu", new ReLU());
        _conv2 = RegisterModule("conv2", new Conv2d(planes, planes, 3, 1, 1, bias: false, generator: g, dtype: dtype));
        _bn2 = RegisterModule("bn2", new BatchNorm2d(planes, dtype: dtype));
        if (stride != 1 || inPlanes != planes)
            _downsample = RegisterModule("downsample", new Sequential(
                new Conv2d(inPlanes, planes, 1, stride, bias: false, generator: g, dtype: dtype), new BatchNorm2d(planes, dtype: dtype)));
    }

    /// <summary>True when the shortcut is a strided 1×1 convolution with batch norm.</summary>
    public bool HasDownsample => _downsample != null;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        var y = _bn1.Forward(_conv1.Forward(input)).Relu();
        y = _bn2.Forward(_conv2.Forward(y));
        var shortcut = _downsample?.Forward(input) ?? input;
        return y.Add(shortcut).Relu();
    }
}
