using MLNetDeep.Tensors;
using MLNetDeep.Tests.Oracles;
using NUnit.Framework;

namespace MLNetDeep.Tests.Parity;

/// <summary>
/// Every op and loss of the engine against PyTorch 1.13: forward values and the gradient of every
/// float input, on random inputs, with a random upstream gradient.
/// </summary>
[TestFixture]
public class OpParityTests
{
    private TorchOracle _oracle = null!;

    [OneTimeSetUp] public void StartOracle() => _oracle = TorchOracle.Start();

    /// <summary>One case: the torch function and arguments, and the same computation in our engine.</summary>
    public sealed record OpCase(string TorchFn, object[] Inputs, Func<Tensor[], Tensor[]> Ours,
        object?[]? Args = null, Dictionary<string, object?>? Kwargs = null, double Rtol = Parity.Rtol, double Atol = Parity.Atol);

    private static int _seed = 100;
    private static Tensor R(params int[] shape) => Tensor.Randn(shape, new Generator((ulong)_seed++));
    private static Tensor U(double lo, double hi, params int[] shape) => Tensor.Rand(shape, new Generator((ulong)_seed++), lo, hi);
    private static Tensor Ids(long max, params int[] shape) => Tensor.RandInt(shape, 0, max, new Generator((ulong)_seed++));

    private static TestCaseData Case(string name, OpCase c) => new TestCaseData(c).SetName("Parity_" + name);
    private static Func<Tensor[], Tensor[]> One(Func<Tensor[], Tensor> f) => x => [f(x)];

    public static IEnumerable<TestCaseData> Cases()
    {
        // elementwise binary, with broadcasting
        yield return Case("add", new("torch.add", [R(3, 4), R(4)], One(x => x[0] + x[1])));
        yield return Case("sub", new("torch.sub", [R(2, 1, 4), R(3, 1)], One(x => x[0] - x[1])));
        yield return Case("mul", new("torch.mul", [R(2, 3, 4), R(3, 1)], One(x => x[0] * x[1])));
        yield return Case("div", new("torch.div", [R(3, 4), U(0.5, 2, 3, 4)], One(x => x[0] / x[1])));
        yield return Case("pow_tensor", new("torch.pow", [U(0.5, 2, 3, 4), R(3, 4)], One(x => x[0].Pow(x[1]))));
        yield return Case("pow_scalar", new("torch.pow", [U(0.5, 2, 5)], One(x => x[0].Pow(3.0)), Args: [3.0]));
        yield return Case("maximum", new("torch.maximum", [R(4, 3), R(4, 3)], One(x => x[0].Maximum(x[1]))));
        // elementwise unary
        yield return Case("neg", new("torch.neg", [R(6)], One(x => -x[0])));
        yield return Case("exp", new("torch.exp", [R(2, 5)], One(x => x[0].Exp())));
        yield return Case("log", new("torch.log", [U(0.1, 3, 2, 5)], One(x => x[0].Log())));
        yield return Case("sqrt", new("torch.sqrt", [U(0.1, 3, 7)], One(x => x[0].Sqrt())));
        yield return Case("tanh", new("torch.tanh", [R(3, 7)], One(x => x[0].Tanh())));
        yield return Case("sigmoid", new("torch.sigmoid", [R(3, 7)], One(x => x[0].Sigmoid())));
        yield return Case("relu", new("torch.relu", [R(3, 7)], One(x => F.Relu(x[0]))));
        yield return Case("leaky_relu", new("torch.nn.functional.leaky_relu", [R(3, 7)], One(x => F.LeakyRelu(x[0], 0.1)), Kwargs: new() { ["negative_slope"] = 0.1 }));
        yield return Case("gelu", new("torch.nn.functional.gelu", [R(4, 6).Mul(2)], One(x => F.Gelu(x[0]))));
        yield return Case("gelu_tanh", new("torch.nn.functional.gelu", [R(4, 6).Mul(2)], One(x => F.Gelu(x[0], tanhApproximation: true)), Kwargs: new() { ["approximate"] = "tanh" }));
        yield return Case("softplus", new("torch.nn.functional.softplus", [R(4, 6).Mul(3)], One(x => F.Softplus(x[0]))));
        yield return Case("abs", new("torch.abs", [R(9)], One(x => x[0].Abs())));
        yield return Case("erf", new("torch.erf", [R(9)], One(x => x[0].Erf())));
        yield return Case("clamp", new("torch.clamp", [R(4, 5)], One(x => x[0].Clamp(-0.5, 0.7)), Kwargs: new() { ["min"] = -0.5, ["max"] = 0.7 }));
        yield return Case("softmax", new("torch.softmax", [R(3, 4, 5)], One(x => F.Softmax(x[0], 1)), Args: [1]));
        yield return Case("log_softmax", new("torch.log_softmax", [R(3, 4, 5).Mul(4)], One(x => F.LogSoftmax(x[0], -1)), Args: [-1]));
        // reductions
        yield return Case("sum_all", new("torch.sum", [R(3, 4)], One(x => x[0].Sum())));
        yield return Case("sum_dims", new("torch.sum", [R(2, 3, 4)], One(x => x[0].Sum([0, 2], keepDim: true)), Args: [new[] { 0, 2 }], Kwargs: new() { ["keepdim"] = true }));
        yield return Case("mean_dim", new("torch.mean", [R(2, 3, 4)], One(x => x[0].Mean(1)), Args: [1]));
        yield return Case("amax_dim", new("torch.amax", [R(3, 5)], One(x => x[0].Max(1)), Args: [1]));
        yield return Case("max_values_indices", new("torch.max", [R(4, 6)], x => [x[0].Max(1), x[0].Argmax(1)], Args: [1]));
        yield return Case("amin_dim", new("torch.amin", [R(3, 5)], One(x => x[0].Min(0)), Args: [0]));
        yield return Case("argmax", new("torch.argmax", [R(5, 7)], One(x => x[0].Argmax(-1)), Args: [-1]));
        yield return Case("var", new("torch.var", [R(4, 6)], One(x => x[0].Var([1])), Args: [1]));
        // movement and joins
        yield return Case("reshape", new("torch.reshape", [R(2, 6)], One(x => x[0].Reshape(3, -1)), Args: [new[] { 3, -1 }]));
        yield return Case("permute", new("torch.permute", [R(2, 3, 4)], One(x => x[0].Permute(2, 0, 1)), Args: [new[] { 2, 0, 1 }]));
        yield return Case("transpose", new("torch.transpose", [R(2, 3, 4)], One(x => x[0].Transpose(0, 2)), Args: [0, 2]));
        yield return Case("narrow", new("torch.narrow", [R(5, 4)], One(x => x[0].Narrow(0, 1, 3)), Args: [0, 1, 3]));
        yield return Case("expand", new("torch.Tensor.expand", [R(3, 1)], One(x => x[0].Expand(2, 3, 4)), Args: [2, 3, 4]));
        yield return Case("squeeze", new("torch.squeeze", [R(3, 1, 4)], One(x => x[0].Squeeze(1)), Args: [1]));
        yield return Case("unsqueeze", new("torch.unsqueeze", [R(3, 4)], One(x => x[0].Unsqueeze(-1)), Args: [-1]));
        yield return Case("flatten", new("torch.flatten", [R(2, 3, 4)], One(x => x[0].Flatten(1)), Args: [1]));
        yield return Case("cat", new("torch.cat", [new[] { R(2, 3), R(4, 3) }], One(x => Tensor.Cat([x[0], x[1]], 0))));
        yield return Case("stack", new("torch.stack", [new[] { R(2, 3), R(2, 3), R(2, 3) }], One(x => Tensor.Stack([x[0], x[1], x[2]], 1)), Args: [1]));
        yield return Case("split", new("torch.split", [R(7, 3)], x => x[0].Split(3, 0), Args: [3]));
        yield return Case("chunk", new("torch.chunk", [R(2, 9)], x => x[0].Chunk(3, 1), Args: [3, 1]));
        // matmul family
        yield return Case("matmul_2d", new("torch.matmul", [R(5, 7), R(7, 3)], One(x => x[0].MatMul(x[1]))));
        yield return Case("matmul_batched_broadcast", new("torch.matmul", [R(2, 3, 5, 4), R(4, 6)], One(x => x[0].MatMul(x[1]))));
        yield return Case("matmul_vector", new("torch.matmul", [R(4), R(3, 4, 5)], One(x => x[0].MatMul(x[1]))));
        yield return Case("bmm", new("torch.bmm", [R(3, 4, 5), R(3, 5, 2)], One(x => x[0].Bmm(x[1]))));
        yield return Case("linear", new("torch.nn.functional.linear", [R(6, 5), R(4, 5), R(4)], One(x => F.Linear(x[0], x[1], x[2]))));
        yield return Case("matmul_large", new("torch.matmul", [R(67, 130), R(130, 45)], One(x => x[0].MatMul(x[1]))));
        // indexing
        yield return Case("embedding", new("torch.nn.functional.embedding", [Ids(10, 3, 4), R(10, 5)], One(x => F.Embedding(x[0], x[1]))));
        yield return Case("embedding_padding", new("torch.nn.functional.embedding", [Tensor.FromArray([0L, 2, 2, 1, 0, 3], 2, 3), R(4, 3)],
            One(x => F.Embedding(x[0], x[1], paddingIdx: 2)), Kwargs: new() { ["padding_idx"] = 2 }));
        yield return Case("index_select", new("torch.index_select", [R(5, 3)], One(x => x[0].IndexSelect(0, x[1])), Args: [0, Tensor.FromArray([4L, 0, 4, 2], 4)]));
        yield return Case("index_add", new("torch.index_add", [R(4, 3)], One(x => x[0].IndexAdd(0, x[1], x[2])), Args: [0, Tensor.FromArray([3L, 0, 3], 3), R(3, 3)]));
        yield return Case("gather", new("torch.gather", [R(3, 5)], One(x => x[0].Gather(1, x[1])), Args: [1, Tensor.FromArray([0L, 4, 1, 1, 3, 3], 3, 2)]));
        yield return Case("scatter_add", new("torch.scatter_add", [R(3, 4)], One(x => x[0].ScatterAdd(0, x[1], x[2])), Args: [0, Tensor.FromArray([1L, 0, 2, 2, 1, 1, 0, 0], 2, 4), R(2, 4)]));
        yield return Case("where", new("torch.where", [new Mask(R(3, 4).Gt(0)), R(3, 4), R(4)], One(x => Tensor.Where(x[0], x[1], x[2]))));
        // losses
        var ceX = R(6, 5);
        var ceY = Tensor.FromArray([0L, 4, 2, 2, 1, 3], 6);
        yield return Case("mse", new("torch.nn.functional.mse_loss", [R(4, 3), R(4, 3)], One(x => F.MseLoss(x[0], x[1]))));
        yield return Case("mse_sum", new("torch.nn.functional.mse_loss", [R(4, 3), R(4, 3)], One(x => F.MseLoss(x[0], x[1], Reduction.Sum)), Kwargs: new() { ["reduction"] = "sum" }));
        yield return Case("cross_entropy", new("torch.nn.functional.cross_entropy", [ceX, ceY], One(x => F.CrossEntropy(x[0], x[1]))));
        yield return Case("cross_entropy_ignore_smoothing", new("torch.nn.functional.cross_entropy", [R(6, 5), Tensor.FromArray([0L, -100, 2, 2, -100, 3], 6)],
            One(x => F.CrossEntropy(x[0], x[1], labelSmoothing: 0.1)), Kwargs: new() { ["label_smoothing"] = 0.1, ["ignore_index"] = -100 }));
        var w = U(0.2, 2, 5);
        yield return Case("cross_entropy_weight_ignore_smoothing", new("torch.nn.functional.cross_entropy", [R(6, 5), Tensor.FromArray([0L, 3, 2, 2, 4, 3], 6)],
            One(x => F.CrossEntropy(x[0], x[1], weight: w, ignoreIndex: 3, labelSmoothing: 0.2)),
            Kwargs: new() { ["weight"] = Parity.ToOracle(w, false), ["ignore_index"] = 3, ["label_smoothing"] = 0.2 }));
        yield return Case("cross_entropy_sum", new("torch.nn.functional.cross_entropy", [R(6, 5), ceY], One(x => F.CrossEntropy(x[0], x[1], reduction: Reduction.Sum)), Kwargs: new() { ["reduction"] = "sum" }));
        yield return Case("cross_entropy_none_spatial", new("torch.nn.functional.cross_entropy", [R(2, 4, 3, 3), Ids(4, 2, 3, 3)],
            One(x => F.CrossEntropy(x[0], x[1], reduction: Reduction.None)), Kwargs: new() { ["reduction"] = "none" }));
        yield return Case("nll_loss", new("torch.nn.functional.nll_loss", [F.LogSoftmax(R(5, 4), 1).Detach(), Tensor.FromArray([1L, 3, 0, -100, 2], 5)], One(x => F.NllLoss(x[0], x[1]))));
        yield return Case("binary_cross_entropy", new("torch.nn.functional.binary_cross_entropy", [U(0.05, 0.95, 4, 3), U(0, 1, 4, 3)], One(x => F.BinaryCrossEntropy(x[0], x[1]))));
        var bw = U(0.5, 2, 4, 3);
        yield return Case("binary_cross_entropy_weight", new("torch.nn.functional.binary_cross_entropy", [U(0.05, 0.95, 4, 3), U(0, 1, 4, 3)],
            One(x => F.BinaryCrossEntropy(x[0], x[1], weight: bw)), Kwargs: new() { ["weight"] = Parity.ToOracle(bw, false) }));
        yield return Case("bce_with_logits", new("torch.nn.functional.binary_cross_entropy_with_logits", [R(4, 3).Mul(4), U(0, 1, 4, 3)], One(x => F.BinaryCrossEntropyWithLogits(x[0], x[1]))));
        yield return Case("kl_div_batchmean", new("torch.nn.functional.kl_div", [F.LogSoftmax(R(4, 5), 1).Detach(), F.Softmax(R(4, 5), 1).Detach()],
            One(x => F.KlDiv(x[0], x[1], Reduction.BatchMean)), Kwargs: new() { ["reduction"] = "batchmean" }));
        var klTarget = F.Softmax(R(4, 5), 1).Detach();
        klTarget.Data<float>()[3] = 0; // a zero-probability target contributes nothing (a constant target, as in distillation)
        yield return Case("kl_div_zero_target", new("torch.nn.functional.kl_div", [F.LogSoftmax(R(4, 5), 1).Detach()],
            One(x => F.KlDiv(x[0], klTarget, Reduction.Mean)), Kwargs: new() { ["target"] = Parity.ToOracle(klTarget, false) }));
        yield return Case("kl_div_log_target", new("torch.nn.functional.kl_div", [F.LogSoftmax(R(4, 5), 1).Detach(), F.LogSoftmax(R(4, 5), 1).Detach()],
            One(x => F.KlDiv(x[0], x[1], Reduction.Sum, logTarget: true)), Kwargs: new() { ["reduction"] = "sum", ["log_target"] = true }));
    }

    [TestCaseSource(nameof(Cases))]
    public void ForwardAndGradientsMatchPyTorch(OpCase c)
    {
        // Every tensor, in inputs then args, takes one gradient slot in the oracle's reply (int64 ones get null);
        // a Tensor[] input is one list argument for torch (cat/stack) and several inputs for us.
        var ours = new List<Tensor>();
        var oracleInputs = new List<object?>();
        foreach (var input in c.Inputs)
        {
            if (input is Tensor[] list)
            {
                var leaves = list.Select(Leaf).ToArray();
                ours.AddRange(leaves);
                oracleInputs.Add(leaves.Select(t => Parity.ToOracle(t)).ToArray());
            }
            else if (input is Mask mask)
            {
                ours.Add(mask.Values);
                var json = Parity.ToOracle(mask.Values, false).ToJson();
                json["as_bool"] = true;
                oracleInputs.Add(json);
            }
            else
            {
                var t = Leaf((Tensor)input);
                ours.Add(t);
                oracleInputs.Add(Parity.ToOracle(t));
            }
        }
        var oracleArgs = new List<object?>();
        foreach (var a in c.Args ?? [])
        {
            if (a is Tensor t)
            {
                var leaf = Leaf(t);
                ours.Add(leaf);
                oracleArgs.Add(Parity.ToOracle(leaf, leaf.IsFloatingPoint));
            }
            else oracleArgs.Add(a);
        }
        var outputs = c.Ours(ours.ToArray());
        var upstream = outputs.Select((o, i) => Parity.UpstreamGradient(o, 1000 + i)).ToArray();
        var expected = _oracle.Call(c.TorchFn, oracleInputs, oracleArgs.ToArray(), c.Kwargs,
            upstream.Select(g => g is null ? null : Parity.ToOracle(g, false)).ToList());

        Assert.That(expected.Outputs.Count, Is.EqualTo(outputs.Length), "number of outputs");
        for (int i = 0; i < outputs.Length; i++)
            Parity.AssertClose($"output {i}", expected.Outputs[i], outputs[i], c.Rtol, c.Atol);

        Tensor? objective = null;
        for (int i = 0; i < outputs.Length; i++)
            if (upstream[i] is Tensor g && outputs[i].RequiresGrad)
                objective = objective is null ? outputs[i].Mul(g).Sum() : objective.Add(outputs[i].Mul(g).Sum());
        objective?.Backward();
        for (int i = 0; i < ours.Count; i++)
        {
            if (!ours[i].IsFloatingPoint) continue;
            if (expected.Grads[i] is null)
            {
                // No gradient flows in PyTorch (e.g. argmax): ours must be absent or zero.
                Assert.That(ours[i].Grad?.ToDoubleArray().All(v => v == 0) ?? true, Is.True, $"gradient of input {i} should be zero");
                continue;
            }
            Parity.AssertClose($"gradient of input {i}", expected.Grads[i], ours[i].Grad ?? Tensor.ZerosLike(ours[i]), c.Rtol, c.Atol);
        }
    }

    /// <summary>A 0/1 tensor sent to PyTorch as a bool mask.</summary>
    public sealed record Mask(Tensor Values);

    private static Tensor Leaf(Tensor t) => t.IsFloatingPoint ? t.Detach().Contiguous(force: true).RequiresGrad_() : t;
}
