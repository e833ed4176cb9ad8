using System.Text.Json.Nodes;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;
using MLNetDeep.Tests.Oracles;
using NUnit.Framework;
using P = MLNetDeep.Tests.Parity.Parity;

namespace MLNetDeep.Tests.Layers.Vision;

/// <summary>
/// Vision modules and blocks against torch.nn / torchvision (weights, BN affine parameters and running statistics
/// copied across): forward, input gradient, every parameter gradient, and in training mode the updated buffers
/// (running_mean, running_var, num_batches_tracked).
/// </summary>
[TestFixture]
public class VisionModuleParityTests
{
    private TorchOracle _oracle = null!;

    [OneTimeSetUp] public void StartOracle() => _oracle = TorchOracle.Start();

    [OneTimeTearDown] public void StopOracle() => _oracle?.Dispose();

    /// <summary>A torch.nn module (<paramref name="Torch"/> "torch.nn.X") or a torchvision block ("vision:resnet.BasicBlock").</summary>
    public sealed record ModCase(string Torch, object?[] Args, Dictionary<string, object?>? Kwargs, Func<Module<Tensor, Tensor>> Ours, int[] InputShape, bool Train,
        double Rtol = P.Rtol, double Atol = P.Atol);

    private static Dictionary<string, object?> K(params (string Key, object? Value)[] kv) => kv.ToDictionary(p => p.Key, p => (object?)p.Value);

    private static TestCaseData C(string name, ModCase c) => new TestCaseData(c).SetName("VisionModule_" + name);

    public static IEnumerable<TestCaseData> Cases()
    {
        yield return C("Conv2d", new("torch.nn.Conv2d", [3, 5, 3], K(("stride", 2), ("padding", 1)), () => new Conv2d(3, 5, 3, 2, 1, generator: new Generator(1)), [2, 3, 9, 8], false));
        yield return C("Conv2d_Rect_Dilated_Groups", new("torch.nn.Conv2d", [4, 6, new[] { 3, 2 }], K(("stride", new[] { 1, 2 }), ("padding", new[] { 2, 1 }), ("dilation", new[] { 2, 1 }), ("groups", 2)),
            () => new Conv2d(4, 6, (3, 2), (1, 2), (2, 1), (2, 1), groups: 2, generator: new Generator(2)), [2, 4, 7, 7], false));
        yield return C("Conv2d_Depthwise_NoBias", new("torch.nn.Conv2d", [6, 6, 3], K(("padding", 1), ("groups", 6), ("bias", false)),
            () => new Conv2d(6, 6, 3, 1, 1, groups: 6, bias: false, generator: new Generator(3)), [3, 6, 5, 6], false));
        yield return C("ConvTranspose2d", new("torch.nn.ConvTranspose2d", [4, 3, 3], K(("stride", 2), ("padding", 1), ("output_padding", 1)),
            () => new ConvTranspose2d(4, 3, 3, 2, 1, 1, generator: new Generator(4)), [2, 4, 4, 5], false));
        yield return C("MaxPool2d_Ceil", new("torch.nn.MaxPool2d", [3], K(("stride", 2), ("padding", 1), ("ceil_mode", true)), () => new MaxPool2d(3, 2, 1, ceilMode: true), [2, 3, 8, 7], false));
        yield return C("AvgPool2d_ExcludePad", new("torch.nn.AvgPool2d", [3], K(("stride", 2), ("padding", 1), ("count_include_pad", false)), () => new AvgPool2d(3, 2, 1, countIncludePad: false), [2, 3, 7, 8], false));
        yield return C("AdaptiveAvgPool2d", new("torch.nn.AdaptiveAvgPool2d", [new[] { 2, 3 }], null, () => new AdaptiveAvgPool2d(2, 3), [2, 3, 5, 7], false));
        yield return C("BatchNorm2d_Train", new("torch.nn.BatchNorm2d", [4], null, () => new BatchNorm2d(4), [3, 4, 5, 3], true));
        yield return C("BatchNorm2d_Train_CumulativeMomentum", new("torch.nn.BatchNorm2d", [3], K(("momentum", null), ("eps", 1e-3)), () => new BatchNorm2d(3, eps: 1e-3, momentum: null), [2, 3, 4, 4], true));
        yield return C("BatchNorm2d_Eval", new("torch.nn.BatchNorm2d", [4], null, () => new BatchNorm2d(4), [3, 4, 5, 3], false));
        yield return C("BatchNorm2d_Train_NoAffine", new("torch.nn.BatchNorm2d", [4], K(("affine", false)), () => new BatchNorm2d(4, affine: false), [2, 4, 3, 3], true));
        yield return C("BatchNorm1d_Train_2D", new("torch.nn.BatchNorm1d", [5], K(("momentum", 0.3)), () => new BatchNorm1d(5, momentum: 0.3), [8, 5], true));
        yield return C("BatchNorm1d_Train_3D", new("torch.nn.BatchNorm1d", [3], null, () => new BatchNorm1d(3), [4, 3, 6], true));
        yield return C("BatchNorm1d_Eval_3D", new("torch.nn.BatchNorm1d", [3], null, () => new BatchNorm1d(3), [4, 3, 6], false));
        yield return C("Upsample_Bilinear", new("torch.nn.Upsample", [], K(("scale_factor", 2.0), ("mode", "bilinear"), ("align_corners", false)),
            () => new Upsample(scaleFactor: [2.0], mode: "bilinear", alignCorners: false), [2, 3, 3, 4], false));
        yield return C("Upsample_Nearest_Size", new("torch.nn.Upsample", [], K(("size", new[] { 5, 7 })), () => new Upsample(size: [5, 7]), [1, 2, 3, 4], false));
        yield return C("ReLU6", new("torch.nn.ReLU6", [], null, () => new ReLU6(), [2, 3, 4, 4], false));
        // torchvision blocks
        yield return C("BasicBlock_Identity_Train", new("vision:resnet.BasicBlock", [], K(("inplanes", 4), ("planes", 4), ("stride", 1)), () => new BasicBlock(4, 4, 1, new Generator(5)), [2, 4, 6, 5], true));
        yield return C("BasicBlock_Downsample_Train", new("vision:resnet.BasicBlock", [], K(("inplanes", 3), ("planes", 6), ("stride", 2)), () => new BasicBlock(3, 6, 2, new Generator(6)), [2, 3, 7, 8], true));
        yield return C("BasicBlock_Downsample_Eval", new("vision:resnet.BasicBlock", [], K(("inplanes", 3), ("planes", 6), ("stride", 2)), () => new BasicBlock(3, 6, 2, new Generator(7)), [2, 3, 7, 8], false));
        yield return C("InvertedResidual_Residual_Train", new("vision:mobilenetv2.InvertedResidual", [], K(("inp", 4), ("oup", 4), ("stride", 1), ("expand_ratio", 6)),
            () => new InvertedResidual(4, 4, 1, 6, new Generator(8)), [2, 4, 5, 5], true));
        yield return C("InvertedResidual_Stride2_Train", new("vision:mobilenetv2.InvertedResidual", [], K(("inp", 4), ("oup", 6), ("stride", 2), ("expand_ratio", 3)),
            () => new InvertedResidual(4, 6, 2, 3, new Generator(9)), [2, 4, 7, 6], true));
        yield return C("InvertedResidual_NoExpansion_Eval", new("vision:mobilenetv2.InvertedResidual", [], K(("inp", 5), ("oup", 3), ("stride", 1), ("expand_ratio", 1)),
            () => new InvertedResidual(5, 3, 1, 1, new Generator(10)), [2, 5, 4, 4], false));
        yield return C("DenseBlock_Train", new("vision:densenet._DenseBlock", [], K(("num_layers", 3), ("num_input_features", 4), ("bn_size", 2), ("growth_rate", 3)),
            () => new DenseBlock(3, 4, 2, 3, generator: new Generator(11)), [2, 4, 5, 5], true));
        yield return C("DenseLayer_Eval", new("vision:densenet._DenseLayer", [], K(("num_input_features", 5), ("growth_rate", 4), ("bn_size", 2)),
            () => new DenseLayer(5, 4, 2, generator: new Generator(12)), [2, 5, 4, 3], false));
        yield return C("Transition_Train_OddSize", new("vision:densenet._Transition", [], K(("num_input_features", 6), ("num_output_features", 3)),
            () => new Transition(6, 3, new Generator(13)), [2, 6, 7, 5], true));
    }

    /// <summary>Gives batch-norm parameters and buffers non-default values so they are really tested.</summary>
    private static void Perturb(Module module, int seed)
    {
        var g = new Generator((ulong)seed);
        foreach (var (name, t) in module.NamedParameters().Concat(module.NamedBuffers()))
        {
            if (t.Rank != 1 || !t.IsFloatingPoint) continue;
            Tensor v = name.EndsWith("running_var", StringComparison.Ordinal) || name.EndsWith("weight", StringComparison.Ordinal)
                ? Tensor.Rand([t.Numel], g, 0.5, 1.5) : Tensor.Randn([t.Numel], g, std: 0.3);
            t.Detach().CopyFrom(v);
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void ForwardGradientsAndBuffersMatch(ModCase c)
    {
        var module = c.Ours();
        Perturb(module, 42);
        module.Train(c.Train);
        var state = module.StateDict().ToDictionary(kv => kv.Key, kv => P.ToOracle(kv.Value, false));
        var input = Tensor.Randn(c.InputShape, new Generator(77)).RequiresGrad_();
        var output = module.Forward(input);
        var upstream = P.UpstreamGradient(output, 78)!;
        var inputs = new List<object?> { P.ToOracle(input) };
        OracleModuleResult expected;
        if (c.Torch.StartsWith("vision:", StringComparison.Ordinal))
        {
            var stateNode = new JsonObject();
            foreach (var kv in state) stateNode[kv.Key] = kv.Value.ToJson();
            expected = new OracleModuleResult(_oracle.Request(new JsonObject
            {
                ["kind"] = "vision_block",
                ["block"] = c.Torch["vision:".Length..],
                ["kwargs"] = OracleJson.Object(c.Kwargs),
                ["state"] = stateNode,
                ["train"] = c.Train,
                ["inputs"] = OracleJson.Array(inputs),
                ["grad_outputs"] = OracleJson.Array([P.ToOracle(upstream, false)]),
            }));
        }
        else expected = _oracle.Module(c.Torch, inputs, c.Args, c.Kwargs, state, c.Train, [P.ToOracle(upstream, false)]);

        Assert.That(expected.MissingKeys, Is.Empty, "our state dict must name every torch parameter and buffer");
        Assert.That(expected.UnexpectedKeys, Is.Empty, "our state dict must use torch's names");
        P.AssertClose("output", expected.Output(0), output, c.Rtol, c.Atol);
        output.Mul(upstream).Sum().Backward();
        P.AssertClose("input gradient", expected.Grad(0), input.Grad, c.Rtol, c.Atol);
        foreach (var (name, p) in module.NamedParameters())
            P.AssertClose($"gradient of {name}", expected.ParamGrad(name), p.Grad ?? Tensor.ZerosLike(p), c.Rtol, c.Atol);
        foreach (var (name, b) in module.NamedBuffers())
            P.AssertClose($"buffer {name} after forward", expected.StateAfter[name], b, c.Rtol, c.Atol);
    }
}
