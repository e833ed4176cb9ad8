using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;
using MLNetDeep.Tensors.Optim;
using MLNetDeep.Tests.Oracles;
using NUnit.Framework;

namespace MLNetDeep.Tests.Parity;

/// <summary>
/// A 2-layer MLP trained from identical initial weights on a seeded classification set, with each
/// optimizer, in our engine and in PyTorch: the loss must agree at every one of 25 steps.
/// </summary>
[TestFixture]
public class MlpTrainingParityTests
{
    private const int Features = 12, Hidden = 32, Classes = 4, Samples = 96, Batch = 16, Steps = 25;
    private TorchOracle _oracle = null!;

    [OneTimeSetUp] public void StartOracle() => _oracle = TorchOracle.Start();

    /// <summary>Gaussian blobs: class k centred at a seeded random point, unit noise.</summary>
    public static (Tensor X, Tensor Y) MakeBlobs(int seed)
    {
        var g = new Generator((ulong)seed);
        var centres = Tensor.Randn([Classes, Features], g, std: 2.0).ToArray<float>();
        var x = new float[Samples * Features];
        var y = new long[Samples];
        for (int i = 0; i < Samples; i++)
        {
            int k = g.NextInt(Classes);
            y[i] = k;
            for (int j = 0; j < Features; j++) x[i * Features + j] = centres[k * Features + j] + (float)g.NextNormal();
        }
        return (Tensor.FromArray(x, Samples, Features), Tensor.FromArray(y, Samples));
    }

    public static IEnumerable<TestCaseData> Optimizers()
    {
        TestCaseData C(string name, string torch, Dictionary<string, object?> kw, Func<IEnumerable<Tensor>, Optimizer> make) =>
            new TestCaseData(torch, kw, make).SetName("MlpLossCurve_" + name);
        yield return C("Sgd", "torch.optim.SGD", new() { ["lr"] = 0.1 }, p => new Sgd(p, new SgdOptions { LearningRate = 0.1 }));
        yield return C("SgdMomentumWeightDecay", "torch.optim.SGD", new() { ["lr"] = 0.05, ["momentum"] = 0.9, ["weight_decay"] = 1e-3 },
            p => new Sgd(p, new SgdOptions { LearningRate = 0.05, Momentum = 0.9, WeightDecay = 1e-3 }));
        yield return C("SgdNesterov", "torch.optim.SGD", new() { ["lr"] = 0.05, ["momentum"] = 0.9, ["nesterov"] = true },
            p => new Sgd(p, new SgdOptions { LearningRate = 0.05, Momentum = 0.9, Nesterov = true }));
        yield return C("AdaGrad", "torch.optim.Adagrad", new() { ["lr"] = 0.05, ["lr_decay"] = 0.01, ["weight_decay"] = 1e-3 },
            p => new AdaGrad(p, new AdaGradOptions { LearningRate = 0.05, LearningRateDecay = 0.01, WeightDecay = 1e-3 }));
        yield return C("RmsProp", "torch.optim.RMSprop", new() { ["lr"] = 0.003 },
            p => new RmsProp(p, new RmsPropOptions { LearningRate = 0.003 }));
        yield return C("RmsPropCenteredMomentum", "torch.optim.RMSprop", new() { ["lr"] = 0.002, ["momentum"] = 0.5, ["centered"] = true, ["weight_decay"] = 1e-3 },
            p => new RmsProp(p, new RmsPropOptions { LearningRate = 0.002, Momentum = 0.5, Centered = true, WeightDecay = 1e-3 }));
        yield return C("Adam", "torch.optim.Adam", new() { ["lr"] = 0.01 }, p => new Adam(p, new AdamOptions { LearningRate = 0.01 }));
        yield return C("AdamAmsGradL2", "torch.optim.Adam", new() { ["lr"] = 0.01, ["amsgrad"] = true, ["weight_decay"] = 1e-2 },
            p => new Adam(p, new AdamOptions { LearningRate = 0.01, AmsGrad = true, WeightDecay = 1e-2 }));
        yield return C("AdamW", "torch.optim.AdamW", new() { ["lr"] = 0.01, ["weight_decay"] = 0.05 },
            p => new AdamW(p, new AdamWOptions { LearningRate = 0.01, WeightDecay = 0.05 }));
    }

    [TestCaseSource(nameof(Optimizers))]
    public void LossCurveMatchesPyTorchAtEveryStep(string torchOptim, Dictionary<string, object?> kwargs, Func<IEnumerable<Tensor>, Optimizer> make)
    {
        var (x, y) = MakeBlobs(11);
        var gen = new Generator(5);
        var fc1 = new Linear(Features, Hidden, generator: gen);
        var fc2 = new Linear(Hidden, Classes, generator: gen);
        var model = new Sequential(fc1, new ReLU(), fc2);
        var layers = new[] { fc1, fc2 }.Select(l => new OracleLinearLayer(Parity.ToOracle(l.Weight, false), Parity.ToOracle(l.Bias!, false))).ToList();

        var expected = _oracle.TrainMlp(layers, "relu", Parity.ToOracle(x, false), Parity.ToOracle(y, false), Batch, Steps, torchOptim, kwargs);

        var optimizer = make(model.Parameters());
        var losses = new List<double>();
        for (int step = 0; step < Steps; step++)
        {
            int start = step * Batch % Samples;
            var xb = x.Narrow(0, start, Batch);
            var yb = y.Narrow(0, start, Batch);
            optimizer.ZeroGrad();
            var loss = F.CrossEntropy(model.Forward(xb), yb);
            loss.Backward();
            optimizer.Step();
            losses.Add(loss.Item());
        }

        Assert.That(expected.Losses.Count, Is.EqualTo(Steps));
        for (int s = 0; s < Steps; s++)
            Assert.That(losses[s], Is.EqualTo(expected.Losses[s]).Within(Parity.Atol + Parity.Rtol * Math.Abs(expected.Losses[s])), $"loss at step {s}");
        Assert.That(losses[^1], Is.LessThan(losses[0]), "training should reduce the loss");
        // Final weights: 25 steps of fp32 rounding compound, so they are held to 1e-3 relative.
        for (int l = 0; l < 2; l++)
        {
            var lin = l == 0 ? fc1 : fc2;
            Parity.AssertClose($"final weight {l}", expected.Final[l].Weight, lin.Weight, rtol: 1e-3, atol: 1e-4);
            Parity.AssertClose($"final bias {l}", expected.Final[l].Bias, lin.Bias, rtol: 1e-3, atol: 1e-4);
        }
    }
}
