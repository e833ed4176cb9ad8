using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;
using MLNetDeep.Tensors.Nn.Pruning;
using MLNetDeep.Tensors.Optim;
using NUnit.Framework;

namespace MLNetDeep.Tests.Compression;

/// <summary>Engine pruning: masks, exact sparsities, channel structure, masks through optimizer steps, report, schedule, errors.</summary>
public class MagnitudePrunerTests
{
    private static Sequential Net(int seed) => TestNetworkClassifier.Build(8, 4, 16, 3, new Generator((ulong)seed));

    private static long Zeros(Tensor t) => SparsityReport.CountZeros(t);

    [TestCase(0.0)]
    [TestCase(0.5)]
    [TestCase(0.8)]
    [TestCase(0.95)]
    public void Unstructured_Global_HitsTheTotalExactly_AndPrunesTheSmallestMagnitudes(double sparsity)
    {
        var net = Net(1);
        var layers = PrunableLayer.Find(net);
        var before = layers.SelectMany(l => l.Weight.ToArray<float>()).Select(Math.Abs).ToArray();
        var masks = MagnitudePruner.Prune(net, PruningMethod.Unstructured, sparsity, PruningScope.Global);
        long total = layers.Sum(l => (long)l.Weight.Numel);
        long zeros = layers.Sum(l => Zeros(l.Weight));
        Assert.That(zeros, Is.EqualTo((long)Math.Round(sparsity * total, MidpointRounding.AwayFromZero)));
        Assert.That(masks.Sparsity, Is.EqualTo((double)zeros / total).Within(1e-12));
        if (sparsity > 0)
        {
            // Every surviving weight is at least as large as every pruned one.
            var after = layers.SelectMany(l => l.Weight.ToArray<float>()).ToArray();
            float largestPruned = before.Where((_, i) => after[i] == 0).Max();
            float smallestKept = before.Where((_, i) => after[i] != 0).DefaultIfEmpty(float.MaxValue).Min();
            Assert.That(largestPruned, Is.LessThanOrEqualTo(smallestKept));
        }
        Assert.That(layers.Where(l => l.Bias is not null).Sum(l => Zeros(l.Bias!)), Is.Zero, "biases are not pruned");
    }

    [Test]
    public void Unstructured_PerLayer_HitsTheTargetInEveryLayer()
    {
        var net = Net(2);
        MagnitudePruner.Prune(net, PruningMethod.Unstructured, 0.6, PruningScope.PerLayer);
        foreach (var l in PrunableLayer.Find(net))
            Assert.That(Zeros(l.Weight), Is.EqualTo((long)Math.Round(0.6 * l.Weight.Numel, MidpointRounding.AwayFromZero)), l.Name);
    }

    [Test]
    public void Unstructured_Global_LeavesLayersUneven_WhenTheirScalesDiffer()
    {
        var net = new Sequential(new Linear(10, 10, generator: new Generator(3)), new Linear(10, 10, generator: new Generator(4)));
        var large = ((Linear)net[1]).Weight.Data<float>();
        for (int i = 0; i < large.Length; i++) large[i] = 0.5f + i / 200f;
        var small = ((Linear)net[0]).Weight.Data<float>();
        for (int i = 0; i < small.Length; i++) small[i] *= 0.01f;
        MagnitudePruner.Prune(net, PruningMethod.Unstructured, 0.5, PruningScope.Global);
        Assert.That(Zeros(((Linear)net[0]).Weight), Is.EqualTo(100), "the 100x smaller layer goes first");
        Assert.That(Zeros(((Linear)net[1]).Weight), Is.Zero);
    }

    [TestCase(1)]
    [TestCase(2)]
    public void Structured_ZeroesWholeChannelsWithTheSmallestNorms_AndKeepsTheLastLayer(int norm)
    {
        var net = Net(5);
        var layers = PrunableLayer.Find(net);
        var original = layers.Select(l => l.Weight.ToArray<float>()).ToList();
        MagnitudePruner.Prune(net, PruningMethod.Structured, 0.5, normOrder: norm);
        for (int li = 0; li < layers.Count; li++)
        {
            var l = layers[li];
            int channels = l.OutputChannels, fanIn = l.Weight.Numel / channels;
            var w = l.Weight.ToArray<float>();
            var norms = Enumerable.Range(0, channels).Select(c => original[li].Skip(c * fanIn).Take(fanIn).Sum(v => norm == 1 ? Math.Abs(v) : v * v)).ToArray();
            var zeroRows = Enumerable.Range(0, channels).Where(c => w.Skip(c * fanIn).Take(fanIn).All(v => v == 0)).ToList();
            if (li == layers.Count - 1)
            {
                Assert.That(w, Is.EqualTo(original[li]), "the logits layer is kept whole");
                continue;
            }
            Assert.That(zeroRows, Has.Count.EqualTo(channels / 2), l.Name);
            Assert.That(zeroRows.Max(c => norms[c]), Is.LessThanOrEqualTo(Enumerable.Range(0, channels).Except(zeroRows).Min(c => norms[c])), l.Name);
            for (int c = 0; c < channels; c++)
                if (!zeroRows.Contains(c))
                    Assert.That(w.Skip(c * fanIn).Take(fanIn), Is.EqualTo(original[li].Skip(c * fanIn).Take(fanIn)), $"{l.Name} channel {c} untouched");
            var bias = l.Bias!.ToArray<float>();
            Assert.That(zeroRows.All(c => bias[c] == 0), $"{l.Name}: bias of pruned channels zeroed");
        }
    }

    [Test]
    public void Masks_SurviveOptimizerSteps_WhenReapplied_AndOnlyNarrow()
    {
        var net = Net(6);
        var masks = MagnitudePruner.Prune(net, PruningMethod.Unstructured, 0.7);
        var layers = PrunableLayer.Find(net);
        var zerosBefore = layers.Select(l => l.Weight.ToArray<float>().Select(v => v == 0).ToArray()).ToList();
        var kept0 = layers[0].Weight.ToArray<float>();
        var adam = new Adam(net.Parameters(), 0.01);
        var x = Tensor.Rand([8, 1, 8, 8], new Generator(7), 0, 1);
        var y = Tensor.FromArray(new long[] { 0, 1, 2, 0, 1, 2, 0, 1 });
        for (int s = 0; s < 5; s++)
        {
            adam.ZeroGrad();
            F.CrossEntropy(net.Forward(x), y).Backward();
            adam.Step();
            masks.Apply();
        }
        for (int i = 0; i < layers.Count; i++)
        {
            var w = layers[i].Weight.ToArray<float>();
            for (int j = 0; j < w.Length; j++) if (zerosBefore[i][j]) Assert.That(w[j], Is.Zero, $"{layers[i].Name}[{j}]");
        }
        Assert.That(layers[0].Weight.ToArray<float>(), Is.Not.EqualTo(kept0), "kept weights trained");
        // Pruning again to a higher target keeps every earlier zero.
        masks.Intersect(MagnitudePruner.Unstructured(net, 0.8));
        masks.Apply();
        Assert.That(masks.Sparsity, Is.EqualTo(0.8).Within(1e-3));
        for (int i = 0; i < layers.Count; i++)
        {
            var w = layers[i].Weight.ToArray<float>();
            for (int j = 0; j < w.Length; j++) if (zerosBefore[i][j]) Assert.That(w[j], Is.Zero);
        }
    }

    [Test]
    public void Ties_ArePrunedInPositionOrder_ToTheExactCount()
    {
        var lin = new Linear(4, 2, bias: false);
        new float[] { 1, 1, 1, 1, 1, 1, 2, 2 }.CopyTo(lin.Weight.Data<float>());
        MagnitudePruner.Prune(lin, PruningMethod.Unstructured, 0.5);
        Assert.That(lin.Weight.ToArray<float>(), Is.EqualTo(new float[] { 0, 0, 0, 0, 1, 1, 2, 2 }));
    }

    [Test]
    public void Report_CountsZerosPerParameterAndInTotal_OnAHandCase()
    {
        var net = new Sequential(new Linear(3, 2), new ReLU(), new Linear(2, 1, bias: false));
        new float[] { 0, 1, 0, 2, 0, 3 }.CopyTo(((Linear)net[0]).Weight.Data<float>());
        new float[] { 0, 5 }.CopyTo(((Linear)net[0]).Bias!.Data<float>());
        new float[] { 7, 0 }.CopyTo(((Linear)net[2]).Weight.Data<float>());
        var report = SparsityReport.Of(net);
        Assert.That(report.Parameters.Select(p => (p.Name, p.Parameters, p.Zeros)),
            Is.EqualTo(new[] { ("0.weight", 6L, 3L), ("0.bias", 2L, 1L), ("2.weight", 2L, 1L) }));
        Assert.That((report.Total.Parameters, report.Total.Zeros), Is.EqualTo((10L, 5L)));
        Assert.That((report.Prunable.Parameters, report.Prunable.Zeros), Is.EqualTo((8L, 4L)));
        Assert.That(report.Total.Sparsity, Is.EqualTo(0.5));
        Assert.That(report.ToMarkdown(), Does.Contain("| 0.weight | 6 | 3 | 50.0% |").And.Contain("| total | 10 | 5 | 50.0% |"));
    }

    [Test]
    public void CubicSchedule_FollowsZhuAndGupta()
    {
        Assert.That(PruningSchedule.Cubic(0, 0.8, 4), Is.EqualTo(new[] { 0.4625, 0.7, 0.7875, 0.8 }).Within(1e-12));
        Assert.That(PruningSchedule.Cubic(0, 0.5, 1), Is.EqualTo(new[] { 0.5 }));
    }

    [TestCase(1.0)]
    [TestCase(-0.1)]
    [TestCase(double.NaN)]
    public void BadSparsity_ThrowsNamingTheArgument(double sparsity)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => MagnitudePruner.Unstructured(Net(1), sparsity));
        Assert.That(e!.ParamName, Is.EqualTo("sparsity"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => MagnitudePruner.Structured(Net(1), 0.5, normOrder: 3))!.ParamName, Is.EqualTo("normOrder"));
        Assert.Throws<ArgumentException>(() => MagnitudePruner.Unstructured(new Sequential(new ReLU()), 0.5));
    }
}
