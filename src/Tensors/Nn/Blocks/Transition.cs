namespace MLNetDeep.Tensors.Nn;

/// <summary>
/// DenseNet transition (torchvision.models.densenet._Transition): batch norm, ReLU, 1×1 convolution without bias,
/// 2×2 average pooling with stride 2. Children are named "norm", "relu", "conv", "pool" as in torchvision.
/// </summary>
public sealed class Transition : Module<Tensor, Tensor>
{
    private readonly BatchNorm2d _norm;
    private readonly Conv2d _conv;
    private readonly AvgPool2d _pool;

    /// <summary>Creates the layer.</summary>
    /// <param name="numInputFeatures">Input channels.</param>
    /// <param name="numOutputFeatures">Output channels.</param>
    /// <param name="generator">Random source for the initialization.</param>
    /// <param name="dtype">Parameter dtype.</param>
    public Transition(int numInputFeatures, int numOutputFeatures, Generator? generator = null, DType dtype = DType.Float32)
    {
        _norm = RegisterModule("norm", new BatchNorm2d(numInputFeatures, dtype: dtype));
        RegisterModule("relu", new ReLU());
        _conv = RegisterModule("conv", new Conv2d(numInputFeatures, numOutputFeatures, 1, bias: false, generator: generator, dtype: dtype));
        _pool = RegisterModule("pool", new AvgPool2d(2, 2));
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => _pool.Forward(_conv.Forward(_norm.Forward(input).Relu()));
}
