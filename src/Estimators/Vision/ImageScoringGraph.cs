using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;

namespace MLNetDeep.Estimators.Vision;

/// <summary>
/// What an <see cref="ImageClassificationTransformer"/> exports to ONNX: flat image rows [batch, C·H·W] reshaped
/// to [batch, C, H, W], the classifier network (any module with a registered exporter), then the scoring head
/// (Softmax, 1-based arg-max key). It has two outputs, so it is a plain <see cref="Module"/>; <see cref="Logits"/> runs the network.
/// </summary>
public sealed class ImageScoringGraph : Module
{
    /// <summary>Wraps <paramref name="network"/> for images of <paramref name="inputShape"/>.</summary>
    public ImageScoringGraph(Module<Tensor, Tensor> network, IReadOnlyList<int> inputShape, int classes)
    {
        Network = RegisterModule("network", network);
        InputShape = [.. inputShape];
        Classes = classes;
    }

    /// <summary>The classifier network.</summary>
    public Module<Tensor, Tensor> Network { get; }

    /// <summary>[channels, height, width].</summary>
    public IReadOnlyList<int> InputShape { get; }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>Logits for flat rows [batch, C·H·W].</summary>
    public Tensor Logits(Tensor input) => Network.Forward(input.Reshape(-1, InputShape[0], InputShape[1], InputShape[2]));
}
