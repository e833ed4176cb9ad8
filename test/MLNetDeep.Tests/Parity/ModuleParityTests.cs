using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;
using MLNetDeep.Tests.Oracles;
using NUnit.Framework;

namespace MLNetDeep.Tests.Parity;

/// <summary>
/// Each module against its torch.nn counterpart with our weights copied across: forward values,
/// input gradients and every parameter gradient.
/// </summary>
[TestFixture]
public class ModuleParityTests
{
    private TorchOracle _oracle = null!;

    [OneTimeSetUp] public void StartOracle() => _oracle = TorchOracle.Start();

    public sealed record ModuleCase(string TorchModule, object?[] Args, Dictionary<string, object?>? Kwargs, Func<Module<Tensor, Tensor>> Ours, Tensor Input);

    private static Tensor R(int seed, params int[] shape) => Tensor.Randn(shape, new Generator((ulong)seed));

    public static IEnumerable<TestCaseData> Cases()
    {
        TestCaseData C(string name, ModuleCase c) => new TestCaseData(c).SetName("ModuleParity_" + name);
        yield return C("Linear", new("torch.nn.Linear", [5, 3], null, () => new Linear(5, 3, generator: new Generator(1)), R(10, 4, 5)));
        yield return C("Linear_NoBias_3D", new("torch.nn.Linear", [6, 2], new() { ["bias"] = false }, () => new Linear(6, 2, bias: false, generator: new Generator(2)), R(11, 2, 3, 6)));
        yield return C("Embedding_Padding", new("torch.nn.Embedding", [10, 4], new() { ["padding_idx"] = 1 }, () => new Embedding(10, 4, paddingIdx: 1, generator: new Generator(3)),
            Tensor.FromArray([1L, 3, 9, 1, 0, 3, 3, 7], 2, 4)));
        yield return C("Dropout_Eval", new("torch.nn.Dropout", [0.3], null, () => new Dropout(0.3), R(12, 3, 4)));
        yield return C("ReLU", new("torch.nn.ReLU", [], null, () => new ReLU(), R(13, 3, 4)));
        yield return C("Tanh", new("torch.nn.Tanh", [], null, () => new Tanh(), R(14, 3, 4)));
        yield return C("Sigmoid", new("torch.nn.Sigmoid", [], null, () => new Sigmoid(), R(15, 3, 4)));
        yield return C("GELU", new("torch.nn.GELU", [], null, () => new GELU(), R(16, 3, 4)));
        yield return C("LeakyReLU", new("torch.nn.LeakyReLU", [0.2], null, () => new LeakyReLU(0.2), R(17, 3, 4)));
        yield return C("Softmax", new("torch.nn.Softmax", [], new() { ["dim"] = 1 }, () => new Softmax(1), R(18, 3, 4)));
        yield return C("LogSoftmax", new("torch.nn.LogSoftmax", [], new() { ["dim"] = -1 }, () => new LogSoftmax(-1), R(19, 3, 4)));
        yield return C("Flatten", new("torch.nn.Flatten", [], null, () => new Flatten(), R(20, 2, 3, 4)));
    }

    [TestCaseSource(nameof(Cases))]
    public void ForwardInputAndParameterGradientsMatchPyTorch(ModuleCase c)
    {
        var module = c.Ours();
        module.Eval();
        var input = c.Input.IsFloatingPoint ? c.Input.Detach().RequiresGrad_() : c.Input;
        var output = module.Forward(input);
        var upstream = Parity.UpstreamGradient(output, 77)!;
        var state = module.StateDict().ToDictionary(kv => kv.Key, kv => Parity.ToOracle(kv.Value, false));
        var expected = _oracle.Module(c.TorchModule, [Parity.ToOracle(input)], c.Args, c.Kwargs, state, train: false, gradOutputs: [Parity.ToOracle(upstream, false)]);

        Assert.That(expected.MissingKeys, Is.Empty, "our state dict must name every torch parameter");
        Assert.That(expected.UnexpectedKeys, Is.Empty, "our state dict must use torch's parameter names");
        Parity.AssertClose("output", expected.Output(0), output);
        output.Mul(upstream).Sum().Backward();
        if (input.IsFloatingPoint) Parity.AssertClose("input gradient", expected.Grad(0), input.Grad);
        foreach (var (name, p) in module.NamedParameters())
            Parity.AssertClose($"gradient of {name}", expected.ParamGrad(name), p.Grad ?? Tensor.ZerosLike(p));
    }
}
