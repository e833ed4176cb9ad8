using System.Globalization;

namespace MLNetDeep.Tensors.Nn;

/// <summary>
/// DenseNet block (torchvision.models.densenet._DenseBlock): layer i sees the concatenation of the input and all
/// earlier layers' outputs; the result is the concatenation of all of them,
/// numInputFeatures + numLayers·growthRate channels. Layers are named "denselayer1", "denselayer2", … as in torchvision.
/// </summary>
public sealed class DenseBlock : Module<Tensor, Tensor>
{
    private readonly List<DenseLayer> _layers = [];

    /// <summary>Channels of the output.</summary>
    public int NumOutputFeatures { get; }

    /// <summary>Creates the block.</summary>
    /// <param name="numLayers">Number of dense layers.</param>
    /// <param name="numInputFeatures">Input channels.</param>
    /// <param name="bnSize">Bottleneck width multiplier.</param>
    /// <param name="growthRate">Channels added by each layer.</param>
    /// <param name="dropRate">Dropout probability in each layer.</param>
    /// <param name="generator">Random source for the initialization.</param>
    /// <param name="dtype">Parameter dtype.</param>
    public DenseBlock(int numLayers, int numInputFeatures, int bnSize, int growthRate, double dropRate = 0, Generator? generator = null, DType dtype = DType.Float32)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numLayers, 1);
        var g = generator ?? Generator.Default;
        for (int i = 0; i < numLayers; i++)
            _layers.Add(RegisterModule("denselayer" + (i + 1).ToString(CultureInfo.InvariantCulture),
                new DenseLayer(numInputFeatures + i * growthRate, growthRate, bnSize, dropRate, g, dtype)));
        NumOutputFeatures = numInputFeatures + numLayers * growthRate;
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        var features = new List<Tensor> { input };
        foreach (var layer in _layers) features.Add(layer.Forward(features.Count == 1 ? input : Tensor.Cat(features, 1)));
        return Tensor.Cat(features, 1);
    }
}
