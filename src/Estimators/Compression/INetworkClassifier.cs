using MLNetDeep.Data;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;

namespace MLNetDeep.Estimators.Compression;

/// <summary>
/// A fitted classifier whose scoring is one feed-forward network applied to a batch tensor built from the input
/// columns (for images: <c>[batch, channels, height, width]</c> → logits <c>[batch, classes]</c>). Compression
/// (quantization, pruning) and distillation work through this contract: they read batches with the classifier's own
/// preprocessing, change or replace the network, and get back the same transformer scoring with the new network.
/// </summary>
public interface INetworkClassifier : ITransformer
{
    /// <summary>The network: input batch → logits (not probabilities).</summary>
    Module<Tensor, Tensor> Network { get; }

    /// <summary>The shape of one example as the network sees it (for images <c>[channels, height, width]</c>).</summary>
    IReadOnlyList<int> InputShape { get; }

    /// <summary>The class names, in logit order.</summary>
    IReadOnlyList<string> Labels { get; }

    /// <summary>
    /// Batches of (network input <c>[n, ...InputShape]</c>, label indices <c>[n]</c> as int64) read from
    /// <paramref name="data"/> in row order with this classifier's preprocessing and no augmentation. Label indices
    /// are -1 where <paramref name="data"/> has no label column (<paramref name="labelColumnName"/> null).
    /// </summary>
    IEnumerable<(Tensor Input, Tensor Labels)> ReadBatches(IDataView data, int batchSize, string? labelColumnName);

    /// <summary>The same transformer (columns, labels, preprocessing, save format) scoring with <paramref name="network"/>.</summary>
    INetworkClassifier WithNetwork(Module<Tensor, Tensor> network);
}
