using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;
using MLNetDeep.Tests.Oracles;
using NUnit.Framework;
using static MLNetDeep.Tests.Layers.Attention.AttentionOracle;
using P = MLNetDeep.Tests.Parity.Parity;

namespace MLNetDeep.Tests.Layers.Attention;

/// <summary>
/// MultiheadAttention, TransformerEncoderLayer and TransformerDecoderLayer against torch.nn with our
/// (perturbed) weights copied across: every output, every input gradient and every parameter gradient.
/// </summary>
[TestFixture]
public class AttentionModuleParityTests
{
    private TorchOracle _oracle = null!;

    [OneTimeSetUp] public void StartOracle() => _oracle = TorchOracle.Start();

    /// <summary>Adds noise to every parameter so zero biases and unit norms do not hide mistakes.</summary>
    private static void Perturb(Module m, int seed)
    {
        int i = 0;
        using var _ = Tensor.NoGrad();
        foreach (var p in m.Parameters()) p.CopyFrom(p.Add(R(seed + i++, p.Shape.ToArray()).Mul(0.1)));
    }

    /// <summary>Runs our forward and torch's, then compares outputs (null = absent on both sides) and all gradients.</summary>
    private void Check(Module ours, string torchModule, Dictionary<string, object?> kwargs, Tensor[] inputs,
        Func<Tensor[], Tensor?[]> forward, Dictionary<string, object?>? torchForwardKwargs, double atol = P.Atol)
    {
        ours.Eval();
        var leaves = inputs.Select(t => t.Detach().RequiresGrad_()).ToArray();
        var outputs = forward(leaves);
        var ups = outputs.Select((o, i) => o is null ? null : P.UpstreamGradient(o, 100 + i)).ToArray();
        var state = ours.StateDict().ToDictionary(kv => kv.Key, kv => P.ToOracle(kv.Value, false));
        var expected = _oracle.Module(torchModule, leaves.Select(t => (object?)P.ToOracle(t)).ToList(), [], kwargs, state, train: false,
            gradOutputs: ups.Select(u => u is null ? null : P.ToOracle(u, false)).ToList(), forwardKwargs: torchForwardKwargs);
        Assert.That(expected.MissingKeys, Is.Empty, "our state dict must name every torch parameter");
        Assert.That(expected.UnexpectedKeys, Is.Empty, "our state dict must use torch's parameter names");
        Assert.That(expected.Outputs.Count, Is.EqualTo(outputs.Length), "number of outputs");
        Tensor? loss = null;
        for (int i = 0; i < outputs.Length; i++)
        {
            if (outputs[i] is null)
            {
                Assert.That(expected.Outputs[i], Is.Null, $"output {i} should be absent");
                continue;
            }
            P.AssertClose($"output {i}", expected.Output(i), outputs[i], atol: atol);
            var term = outputs[i]!.Mul(ups[i]!).Sum();
            loss = loss is null ? term : loss.Add(term);
        }
        loss!.Backward();
        for (int i = 0; i < leaves.Length; i++) P.AssertClose($"gradient of input {i}", expected.Grad(i), leaves[i].Grad, atol: atol);
        foreach (var (name, p) in ours.NamedParameters())
            P.AssertClose($"gradient of {name}", expected.ParamGrad(name), p.Grad ?? Tensor.ZerosLike(p), atol: atol);
    }

    // ------------------------------------------------------------------ MultiheadAttention

    [TestCase(false, true, true, TestName = "Mha_SeqFirst_BoolMasks_Weights")]
    [TestCase(true, true, false, TestName = "Mha_BatchFirst_BoolMasks_Fused")]
    [TestCase(true, false, true, TestName = "Mha_BatchFirst_FloatMask_Weights")]
    [TestCase(false, false, false, TestName = "Mha_SeqFirst_FloatMask_Fused")]
    public void MultiheadAttentionMatchesTorch(bool batchFirst, bool boolAttnMask, bool needWeights)
    {
        int e = 8, h = 2, n = 3, l = 4, s = 6;
        var mha = new MultiheadAttention(e, h, batchFirst: batchFirst, generator: new Generator(1));
        Perturb(mha, 10);
        var kpm = RandomMask(20, 0.3, n, s);
        Tensor attnMask = boolAttnMask ? RandomMask(21, 0.3, l, s) : R(22, n * h, l, s);
        int[] qShape = batchFirst ? [n, l, e] : [l, n, e], kvShape = batchFirst ? [n, s, e] : [s, n, e];
        var fk = new Dictionary<string, object?>
        {
            ["key_padding_mask"] = BoolMask(kpm),
            ["need_weights"] = needWeights,
            ["attn_mask"] = boolAttnMask ? BoolMask(attnMask) : T(attnMask, false),
        };
        Check(mha, "torch.nn.MultiheadAttention", new() { ["embed_dim"] = e, ["num_heads"] = h, ["batch_first"] = batchFirst },
            [R(1, qShape), R(2, kvShape), R(3, kvShape)],
            x => { var (o, w) = mha.Forward(x[0], x[1], x[2], kpm, needWeights, attnMask); return [o, w]; }, fk);
    }

    [TestCase(true, TestName = "Mha_KdimVdim_PerHeadWeights")]
    [TestCase(false, TestName = "Mha_KdimVdim_NoBias_Fused")]
    public void MultiheadAttentionWithKdimVdimMatchesTorch(bool needWeights)
    {
        int e = 6, h = 3, n = 2, l = 5, s = 4;
        var mha = new MultiheadAttention(e, h, bias: needWeights, kdim: 5, vdim: 7, batchFirst: true, generator: new Generator(2));
        Perturb(mha, 30);
        var kpm = RandomMask(31, 0.4, n, s);
        var fk = new Dictionary<string, object?> { ["key_padding_mask"] = BoolMask(kpm), ["need_weights"] = needWeights, ["average_attn_weights"] = false };
        Check(mha, "torch.nn.MultiheadAttention",
            new() { ["embed_dim"] = e, ["num_heads"] = h, ["batch_first"] = true, ["kdim"] = 5, ["vdim"] = 7, ["bias"] = needWeights },
            [R(4, n, l, e), R(5, n, s, 5), R(6, n, s, 7)],
            x => { var (o, w) = mha.Forward(x[0], x[1], x[2], kpm, needWeights, averageAttnWeights: false); return [o, w]; }, fk);
    }

    [Test]
    public void MultiheadAttentionUnbatchedMatchesTorch()
    {
        int e = 8, h = 4, l = 3, s = 5;
        var mha = new MultiheadAttention(e, h, generator: new Generator(6));
        Perturb(mha, 35);
        var kpm = RandomMask(36, 0.3, s);
        var fk = new Dictionary<string, object?> { ["key_padding_mask"] = BoolMask(kpm), ["need_weights"] = true };
        Check(mha, "torch.nn.MultiheadAttention", new() { ["embed_dim"] = e, ["num_heads"] = h },
            [R(7, l, e), R(8, s, e), R(9, s, e)],
            x => { var (o, w) = mha.Forward(x[0], x[1], x[2], kpm, needWeights: true); return [o, w]; }, fk);
    }

    [Test]
    public void AttentionDropoutActsOnlyInTraining()
    {
        var mha = new MultiheadAttention(8, 2, dropout: 0.5, batchFirst: true, generator: new Generator(7));
        var x = R(1, 2, 6, 8);
        mha.Eval();
        var a = mha.SelfAttention(x).ToArray<float>();
        var b = mha.SelfAttention(x).ToArray<float>();
        Assert.That(a, Is.EqualTo(b), "evaluation mode is deterministic");
        mha.Train();
        var c = mha.SelfAttention(x).ToArray<float>();
        Assert.That(c, Is.Not.EqualTo(a), "training mode drops attention weights");
        var (_, w) = mha.Forward(x, x, x, needWeights: true, averageAttnWeights: false);
        Assert.That(w!.ToArray<float>().Count(v => v == 0f), Is.GreaterThan(0), "dropped weights are zero");
    }

    [Test]
    public void TransformerDecoderStackRunsItsLayersInOrder()
    {
        int d = 8, h = 2;
        var dec = new TransformerDecoder(i => new TransformerDecoderLayer(d, h, 12, dropout: 0, generator: new Generator((ulong)(80 + i))), 2, new LayerNorm(d));
        var tgt = R(1, 4, 2, d);
        var mem = R(2, 5, 2, d);
        var y = dec.Forward(tgt, mem, tgtIsCausal: true);
        var manual = dec.Norm!.Forward(dec.Layers[1].Forward(dec.Layers[0].Forward(tgt, mem, tgtIsCausal: true), mem, tgtIsCausal: true));
        Assert.That(y.ToArray<float>(), Is.EqualTo(manual.ToArray<float>()));
        Assert.That(dec.NamedParameters().Select(p => p.Key), Does.Contain("layers.1.multihead_attn.out_proj.weight").And.Contain("norm.weight"));
    }

    [Test]
    public void MultiheadAttentionRejectsBadArguments()
    {
        Assert.That(Assert.Throws<ArgumentException>(() => new MultiheadAttention(10, 3))!.ParamName, Is.EqualTo("numHeads"));
        var mha = new MultiheadAttention(8, 2, batchFirst: true);
        var x = R(1, 2, 4, 8);
        Assert.That(Assert.Throws<ArgumentException>(() => mha.Forward(x, x, x, keyPaddingMask: RandomMask(1, 0.2, 2, 5)))!.ParamName, Is.EqualTo("keyPaddingMask"));
        Assert.That(Assert.Throws<ArgumentException>(() => mha.Forward(x, x, x, attnMask: RandomMask(1, 0.2, 4, 3)))!.ParamName, Is.EqualTo("attnMask"));
        Assert.That(Assert.Throws<ArgumentException>(() => mha.Forward(R(1, 2, 4, 6), x, x))!.ParamName, Is.EqualTo("query"));
        Assert.That(Assert.Throws<ArgumentException>(() => mha.Forward(x, R(2, 3, 4, 8), x))!.ParamName, Is.EqualTo("key"));
    }

    [Test]
    public void MultiheadAttentionPaddedKeysGetZeroWeight()
    {
        var mha = new MultiheadAttention(8, 2, batchFirst: true, generator: new Generator(3));
        var kpm = Tensor.FromArray([0L, 0, 1, 1, 0, 0, 0, 1], 2, 4);
        var (_, w) = mha.Forward(R(1, 2, 3, 8), R(2, 2, 4, 8), R(3, 2, 4, 8), kpm, needWeights: true);
        var weights = w!.ToArray<float>();
        var m = kpm.ToArray<long>();
        for (int b = 0; b < 2; b++)
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 4; j++)
                    if (m[b * 4 + j] != 0) Assert.That(weights[(b * 3 + i) * 4 + j], Is.EqualTo(0f));
    }

    // ------------------------------------------------------------------ Transformer layers

    [TestCase(false, "relu", true, TestName = "Encoder_PostNorm_Relu_BatchFirst_Padding")]
    [TestCase(true, "gelu", false, TestName = "Encoder_PreNorm_Gelu_SeqFirst_Causal")]
    [TestCase(true, "relu", true, TestName = "Encoder_PreNorm_Relu_BatchFirst_BoolMask")]
    public void TransformerEncoderLayerMatchesTorch(bool normFirst, string activation, bool batchFirst)
    {
        int d = 8, h = 2, ff = 16, n = 2, l = 5;
        var layer = new TransformerEncoderLayer(d, h, ff, dropout: 0, activation: activation, batchFirst: batchFirst, normFirst: normFirst, generator: new Generator(4));
        Perturb(layer, 40);
        var kpm = RandomMask(41, 0.3, n, l);
        bool causal = !batchFirst;
        Tensor? boolMask = normFirst && batchFirst ? RandomMask(42, 0.3, l, l) : null;
        var fk = new Dictionary<string, object?> { ["src_key_padding_mask"] = BoolMask(kpm) };
        if (causal) fk["src_mask"] = T(F.CausalMask(l, l), false);
        if (boolMask is not null) fk["src_mask"] = BoolMask(boolMask);
        var kwargs = new Dictionary<string, object?>
        {
            ["d_model"] = d, ["nhead"] = h, ["dim_feedforward"] = ff, ["dropout"] = 0.0, ["activation"] = activation,
            ["batch_first"] = batchFirst, ["norm_first"] = normFirst,
        };
        Check(layer, "torch.nn.TransformerEncoderLayer", kwargs, [R(5, batchFirst ? [n, l, d] : [l, n, d])],
            x => [layer.Forward(x[0], boolMask, kpm, causal)], fk);
    }

    [TestCase(false, "relu", true, TestName = "Decoder_PostNorm_Relu_BatchFirst_CausalPadding")]
    [TestCase(true, "gelu", false, TestName = "Decoder_PreNorm_Gelu_SeqFirst_MemoryMask")]
    public void TransformerDecoderLayerMatchesTorch(bool normFirst, string activation, bool batchFirst)
    {
        int d = 8, h = 2, ff = 12, n = 2, t = 4, s = 6;
        var layer = new TransformerDecoderLayer(d, h, ff, dropout: 0, activation: activation, batchFirst: batchFirst, normFirst: normFirst, generator: new Generator(5));
        Perturb(layer, 50);
        var tgtPad = RandomMask(51, 0.3, n, t);
        var memPad = RandomMask(52, 0.3, n, s);
        var memMask = normFirst ? RandomMask(53, 0.3, t, s) : null;
        var fk = new Dictionary<string, object?>
        {
            ["tgt_mask"] = T(F.CausalMask(t, t), false),
            ["tgt_key_padding_mask"] = BoolMask(tgtPad),
            ["memory_key_padding_mask"] = BoolMask(memPad),
        };
        if (memMask is not null) fk["memory_mask"] = BoolMask(memMask);
        var kwargs = new Dictionary<string, object?>
        {
            ["d_model"] = d, ["nhead"] = h, ["dim_feedforward"] = ff, ["dropout"] = 0.0, ["activation"] = activation,
            ["batch_first"] = batchFirst, ["norm_first"] = normFirst,
        };
        Check(layer, "torch.nn.TransformerDecoderLayer", kwargs,
            [R(6, batchFirst ? [n, t, d] : [t, n, d]), R(7, batchFirst ? [n, s, d] : [s, n, d])],
            x => [layer.Forward(x[0], x[1], memoryMask: memMask, tgtKeyPaddingMask: tgtPad, memoryKeyPaddingMask: memPad, tgtIsCausal: true)], fk);
    }

    [Test]
    public void TransformerEncoderStackMatchesTorch()
    {
        int d = 8, h = 2, n = 2, l = 3;
        var enc = new TransformerEncoder(i => new TransformerEncoderLayer(d, h, 16, dropout: 0, batchFirst: true, generator: new Generator((ulong)(60 + i))), 2, new LayerNorm(d));
        Perturb(enc, 60);
        // torch.nn.TransformerEncoder takes a layer object, which the oracle's module request cannot build; each layer
        // is checked against torch above, so the stack is checked as its layers run in order plus the final norm.
        var x = R(8, n, l, d);
        var y = enc.Forward(x);
        var manual = enc.Norm!.Forward(enc.Layers[1].Forward(enc.Layers[0].Forward(x)));
        Assert.That(y.ToArray<float>(), Is.EqualTo(manual.ToArray<float>()));
        Assert.That(enc.NamedParameters().Select(p => p.Key), Does.Contain("layers.1.self_attn.in_proj_weight").And.Contain("norm.bias"));
    }

    [Test]
    public void TransformerLayerRejectsUnknownActivation() =>
        Assert.That(Assert.Throws<ArgumentException>(() => new TransformerEncoderLayer(8, 2, activation: "tanh"))!.ParamName, Is.EqualTo("activation"));
}
