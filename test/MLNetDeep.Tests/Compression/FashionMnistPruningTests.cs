using MLNetDeep.Estimators.Compression;
using NUnit.Framework;

namespace MLNetDeep.Tests.Compression;

/// <summary>Acceptance point 4 in small: on a Fashion-MNIST subset, 80% unstructured sparsity with fine-tuning stays within 1 point of dense.</summary>
public class FashionMnistPruningTests
{
    [Test]
    public void EightyPercentSparse_AfterFineTune_IsWithinOnePointOfDense()
    {
        TestNetworkClassifier.EnsureRegistered();
        var ctx = new DeepContext(1);
        var train = ctx.Data.LoadFromEnumerable(CompressionTestData.FashionMnist("train", 3000));
        var test = ctx.Data.LoadFromEnumerable(CompressionTestData.FashionMnist("t10k", 2000));
        var dense = new TestNetworkClassifier(28, 4, 32, 10, seed: 1);
        CompressionTestData.Train(dense, train, epochs: 2);
        double denseAccuracy = ModelComparison.Accuracy(dense, test);
        var estimator = ctx.Transforms.Prune(dense, new PruneOptions { Sparsity = 0.8, PruningSteps = 3, NumberOfEpochs = 1, Seed = 1 });
        var pruned = estimator.Fit(train);
        double prunedAccuracy = ModelComparison.Accuracy(pruned, test);
        Assert.That(estimator.Report!.Prunable.Sparsity, Is.EqualTo(0.8).Within(1e-4));
        Assert.That(denseAccuracy, Is.GreaterThan(0.7), "the dense network learned");
        Assert.That(prunedAccuracy, Is.GreaterThanOrEqualTo(denseAccuracy - 0.01), $"dense {denseAccuracy:F4}, 80% sparse {prunedAccuracy:F4}");
    }
}
