using MLNetDeep.Estimators.Compression;
using MLNetDeep.Tensors.Nn.Pruning;

namespace MLNetDeep;

/// <summary>Model compression on <c>ctx.Transforms</c>: magnitude pruning of a fitted network classifier.</summary>
public static class PruneCatalogExtensions
{
    /// <summary>
    /// Prunes <paramref name="model"/>'s network to <paramref name="sparsity"/> and fine-tunes it on the data given to
    /// <c>Fit</c> (defaults from <see cref="PruneOptions.Defaults"/>; see <see cref="PruneEstimator"/>).
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">A fitted classifier (image classifier, quantizable network…).</param>
    /// <param name="sparsity">Final fraction of zero weights (or of output channels when <paramref name="method"/> is structured), in [0, 1).</param>
    /// <param name="method">Unstructured or channel-structured.</param>
    /// <param name="labelColumnName">Label column of the fine-tuning data.</param>
    /// <param name="numberOfEpochs">Fine-tune epochs after each of the pruning steps.</param>
    public static PruneEstimator Prune(this TransformsCatalog catalog, INetworkClassifier model, double sparsity = PruneOptions.Defaults.Sparsity,
        PruningMethod method = PruningMethod.Unstructured, string labelColumnName = "Label", int numberOfEpochs = PruneOptions.Defaults.NumberOfEpochs) =>
        Prune(catalog, model, new PruneOptions { Sparsity = sparsity, Method = method, LabelColumnName = labelColumnName, NumberOfEpochs = numberOfEpochs });

    /// <summary>Prunes and fine-tunes <paramref name="model"/> with full options.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">A fitted classifier.</param>
    /// <param name="options">Options.</param>
    public static PruneEstimator Prune(this TransformsCatalog catalog, INetworkClassifier model, PruneOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new PruneEstimator(catalog.Context, model, options);
    }
}
