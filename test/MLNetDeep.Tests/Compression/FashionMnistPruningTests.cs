using MLNetDeep.Estimators.Compression;
using MLNetDeep.Estimators.Vision;
using MLNetDeep.Tensors.Nn.Pruning;
using MLNetDeep.Tests.Vision;
using NUnit.Framework;

namespace MLNetDeep.Tests.Compression;

/// <summary>
/// Pruning the real image classifier (a narrow SmallCnn) on a Fashion-MNIST subset: acceptance point 4 in small (80%
/// unstructured sparsity with fine-tuning within 1 point of dense), and the pruned transformer still scores, saves and loads.
/// </summary>
public class FashionMnistPruningTests
{
    [Test]
    public void SmallCnn_EightyPercentSparse_AfterFineTune_IsWithinOnePointOfDense_AndRoundTrips()
    {
        var ctx = new DeepContext(1);
        var (train, test) = FashionMnist.RequireSubsets(ctx, 3000, 2000);
        var dense = ctx.Vision.Trainers.ImageClassifier(new ImageClassifierOptions { Architecture = ImageArchitecture.SmallCnn, Width = 4, HiddenSize = 64, NumberOfEpochs = 2, Seed = 1 }).Fit(train);
        double denseAccuracy = ModelComparison.Accuracy(dense, test);
        var estimator = ctx.Transforms.Prune(dense, new PruneOptions { Sparsity = 0.8, PruningSteps = 3, NumberOfEpochs = 1, Seed = 1 });
        var pruned = estimator.Fit(train);
        double prunedAccuracy = ModelComparison.Accuracy(pruned, test);
        Assert.That(pruned, Is.InstanceOf<ImageClassificationTransformer>());
        Assert.That(estimator.Report!.Prunable.Sparsity, Is.EqualTo(0.8).Within(1e-4));
        Assert.That(denseAccuracy, Is.GreaterThan(0.7), "the dense network learned");
        Assert.That(prunedAccuracy, Is.GreaterThanOrEqualTo(denseAccuracy - 0.01), $"dense {denseAccuracy:F4}, 80% sparse {prunedAccuracy:F4}");

        string zip = Path.Combine(Path.GetTempPath(), $"mlnd-pruned-{Guid.NewGuid():N}.zip");
        try
        {
            ctx.Model.Save(pruned, test.Schema, zip);
            var loaded = (INetworkClassifier)ctx.Model.Load(zip, out _);
            Assert.That(SparsityReport.Of(loaded.Network).Prunable.Zeros, Is.EqualTo(estimator.Report.Prunable.Zeros));
            Assert.That(ModelComparison.Accuracy(loaded, test), Is.EqualTo(prunedAccuracy));
            var scored = ctx.Data.CreateEnumerable<Scored>(loaded.Transform(test)).Take(50).ToList();
            Assert.That(scored, Has.Count.EqualTo(50));
        }
        finally
        {
            File.Delete(zip);
        }
    }

    private sealed class Scored
    {
        public float[] Score { get; set; } = [];
    }
}
