namespace MLNetDeep.Tensors.Nn;

/// <summary>
/// DenseNet-BC layer (torchvision.models.densenet._DenseLayer): conv2(relu(norm2(conv1(relu(norm1(x)))))), a 1×1
/// bottleneck to bnSize·growthRate channels then a 3×3 convolution to growthRate channels, with dropout when
/// dropRate &gt; 0. Its input is the concatenation of all earlier feature maps of the block. Names match torchvision's.
/// </summary>
public sealed class DenseLayer : Module<Tensor, Tensor>
{
    private readonly BatchNorm2d _norm1, _norm2;
    private readonly Conv2d _conv1, _conv2;

    /// <summary>Dropout probability on the new features.</summary>
    public double DropRate { get; }

    /// <summary>Creates the layer.</summary>
    /// <param name="numInputFeatures">Input channels.</param>
    /// <param name="growthRate">New channels produced.</param>
    /// <param name="bnSize">Bottleneck width multiplier.</param>
    /// <param name="dropRate">Dropout probability.</param>
    /// <param name="generator">Random source for the initialization (and dropout).</param>
    /// <param name="dtype">Parameter dtype.</param>
    public DenseLayer(int numInputFeatures, int growthRate, int bnSize = 4, double dropRate = 0, Generator? generator = null, DType dtype = DType.Float32)
    {
        var g = generator ?? Generator.Default;
        DropRate = dropRate;
        _norm1 = RegisterModule("norm1", new BatchNorm2d(numInputFeatures, dtype: dtype));
        RegisterModule("relu1", new ReLU());
        _conv1 = RegisterModule("conv1", new Conv2d(numInputFeatures, bnSize * growthRate, 1, bias: false, generator: g, dtype: dtype));
        _norm2 = RegisterModule("norm2", new BatchNorm2d(bnSize * growthRate, dtype: dtype));
        RegisterModule("relu2", new ReLU());
        _conv2 = RegisterModule("conv2", new Conv2d(bnSize * growthRate, growthRate, 3, 1, 1, bias: false, generator: g, dtype: dtype));
    }

    /// <summary>[N, numInputFeatures, H, W] → [N, growthRate, H, W].</summary>
    public override Tensor Forward(Tensor input)
    {
        var bottleneck = _conv1.Forward(_norm1.Forward(input).Relu());
        var y = _conv2.Forward(_norm2.Forward(bottleneck).Relu());
        return DropRate > 0 ? F.Dropout(y, DropRate, IsTraining) : y;
    }
}
