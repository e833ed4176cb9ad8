using MLNetDeep.OnnxExport;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;
using NUnit.Framework;

namespace MLNetDeep.Tests.Onnx.Export;

[TestFixture]
public sealed class AttentionExportTests : OnnxExportTestBase
{
    private static Generator Gen(int seed) => new((ulong)seed);

    /// <summary>Random non-trivial LayerNorm parameters (the defaults are ones and zeros).</summary>
    private static T Perturb<T>(T module, int seed) where T : Module
    {
        var g = Gen(seed);
        foreach (var (name, p) in module.NamedParameters())
            if (name.EndsWith("norm1.weight") || name.EndsWith("norm2.weight") || name.EndsWith("norm3.weight") || name.EndsWith("norm.weight") || name == "weight" && module is LayerNorm)
                p.Detach().AddInPlace(Tensor.Rand(p.Shape.ToArray(), g, -0.5, 0.5));
            else if (name.EndsWith("bias"))
                p.Detach().AddInPlace(Tensor.Rand(p.Shape.ToArray(), g, -0.2, 0.2));
        return module;
    }

    [TestCase(17, true)]
    [TestCase(17, false)]
    [TestCase(13, true)]
    [TestCase(16, false)]
    public void LayerNorm_MatchesRuntime(int opset, bool affine)
    {
        var model = Perturb(new LayerNorm([3, 4], eps: 1e-3, elementwiseAffine: affine), 1);
        string path = AssertExportMatches(model, OnnxTensorSpec.Float("x", "batch", 3, 4), [Input(1, 2, 3, 4).Mul(3), Input(2, 5, 3, 4)],
            new OnnxExportOptions { OpsetVersion = opset });
        var ops = CoreExportTests.Load(path).Graph.Node.Select(n => n.OpType).ToList();
        if (opset >= 17) Assert.That(ops, Is.EqualTo(new[] { "LayerNormalization" }));
        else Assert.That(ops, Does.Not.Contain("LayerNormalization").And.Contain("ReduceMean"));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void SelfAttention_MatchesRuntime(bool batchFirst)
    {
        var mha = Perturb(new MultiheadAttention(8, 2, batchFirst: batchFirst, generator: Gen(3)), 4);
        var spec = batchFirst ? OnnxTensorSpec.Float("x", "batch", "sequence", 8) : OnnxTensorSpec.Float("x", "sequence", "batch", 8);
        string path = ExportChecked(mha, [spec]);
        mha.Eval();
        foreach (var x in new[] { Input(5, 3, 2, 8), Input(6, 5, 4, 8) })
            AssertClose("self-attention", mha.Forward(x, x, x, needWeights: false).Output, Runtime.RunSingle(path, "x", x));
    }

    [Test]
    public void CrossAttention_WithOtherKeyAndValueSizes_MatchesRuntime()
    {
        var mha = Perturb(new MultiheadAttention(6, 3, kdim: 4, vdim: 5, generator: Gen(7)), 8);
        var q = OnnxTensorSpec.Float("query", "target", "batch", 6);
        var k = OnnxTensorSpec.Float("key", "source", "batch", 4);
        var v = OnnxTensorSpec.Float("value", "source", "batch", 5);
        string path = ExportChecked(mha, [q, k, v]);
        mha.Eval();
        var (tq, tk, tv) = (Input(9, 3, 2, 6), Input(10, 5, 2, 4), Input(11, 5, 2, 5));
        var actual = Runtime.Run(path, new Dictionary<string, Tensor> { ["query"] = tq, ["key"] = tk, ["value"] = tv }).Values.Single();
        AssertClose("cross-attention", mha.Forward(tq, tk, tv, needWeights: false).Output, actual);
    }

    [TestCase(false, "relu", 17)]
    [TestCase(true, "gelu", 17)]
    [TestCase(false, "gelu", 13)]
    public void EncoderLayer_MatchesRuntime(bool normFirst, string activation, int opset)
    {
        var layer = Perturb(new TransformerEncoderLayer(8, 2, dimFeedforward: 16, activation: activation, normFirst: normFirst, batchFirst: true, generator: Gen(12)), 13);
        AssertExportMatches(layer, OnnxTensorSpec.Float("x", "batch", "sequence", 8), [Input(14, 2, 3, 8), Input(15, 3, 6, 8)],
            new OnnxExportOptions { OpsetVersion = opset });
    }

    [Test]
    public void EncoderStack_WithPositionsAndEmbedding_MatchesRuntime()
    {
        var model = new Sequential(
            new Embedding(20, 8, generator: Gen(16)),
            new SinusoidalPositionalEncoding(8, maxLen: 32, batchFirst: true),
            new LearnedPositionalEmbedding(32, 8, batchFirst: true, generator: Gen(17)),
            Perturb(new TransformerEncoder(i => new TransformerEncoderLayer(8, 4, dimFeedforward: 12, batchFirst: true, generator: Gen(18 + i)), 2, new LayerNorm(8)), 20),
            new Linear(8, 3, generator: Gen(21)));
        var ids1 = Tensor.RandInt([2, 5], 0, 20, Gen(22));
        var ids2 = Tensor.RandInt([3, 9], 0, 20, Gen(23));
        AssertExportMatches(model, OnnxTensorSpec.Int64("ids", "batch", "sequence"), [ids1, ids2]);
    }

    [Test]
    public void PositionalEncoding_SequenceFirst_MatchesRuntime()
    {
        var model = new SinusoidalPositionalEncoding(6, maxLen: 16);
        AssertExportMatches(model, OnnxTensorSpec.Float("x", "sequence", "batch", 6), [Input(24, 4, 2, 6), Input(25, 16, 1, 6)]);
    }

    [TestCase(false, false)]
    [TestCase(true, false)]
    [TestCase(true, true)]
    public void DecoderStack_MatchesRuntime(bool causal, bool normFirst)
    {
        var decoder = Perturb(new TransformerDecoder(i => new TransformerDecoderLayer(8, 2, dimFeedforward: 16, normFirst: normFirst, generator: Gen(30 + i)), 2,
            new LayerNorm(8)), 31);
        var tgt = OnnxTensorSpec.Float("target", "target_length", "batch", 8);
        var mem = OnnxTensorSpec.Float("memory", "source_length", "batch", 8);
        string path = ExportChecked(decoder, [tgt, mem], new OnnxExportOptions { DecoderSelfAttentionIsCausal = causal });
        decoder.Eval();
        var (t, m) = (Input(32, 4, 3, 8), Input(33, 6, 3, 8));
        var actual = Runtime.Run(path, new Dictionary<string, Tensor> { ["target"] = t, ["memory"] = m }).Values.Single();
        AssertClose("decoder", decoder.Forward(t, m, tgtIsCausal: causal), actual);
    }

    [Test]
    public void EncoderStack_WithKeyPaddingMask_MatchesRuntime()
    {
        var encoder = Perturb(new TransformerEncoder(i => new TransformerEncoderLayer(8, 2, dimFeedforward: 12, batchFirst: true, generator: Gen(50 + i)), 2), 52);
        var x = OnnxTensorSpec.Float("x", "batch", "sequence", 8);
        var padding = OnnxTensorSpec.Int64("padding", "batch", "sequence");
        string path = ExportChecked(encoder, [x, padding]);
        encoder.Eval();
        var tx = Input(53, 3, 5, 8);
        var tp = Tensor.FromArray(new long[] { 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1 }, 3, 5);
        var actual = Runtime.Run(path, new Dictionary<string, Tensor> { ["x"] = tx, ["padding"] = tp }).Values.Single();
        AssertClose("encoder with padding", encoder.Forward(tx, null, tp), actual);
    }

    [Test]
    public void Attention_WithAdditiveFloatMask_MatchesRuntime()
    {
        var mha = Perturb(new MultiheadAttention(4, 2, generator: Gen(54)), 55);
        var specs = new[]
        {
            OnnxTensorSpec.Float("q", "target", "batch", 4), OnnxTensorSpec.Float("k", "source", "batch", 4),
            OnnxTensorSpec.Float("v", "source", "batch", 4), OnnxTensorSpec.Float("mask", "batch", "source"),
        };
        string path = ExportChecked(mha, specs);
        mha.Eval();
        var (q, k, v) = (Input(56, 2, 3, 4), Input(57, 4, 3, 4), Input(58, 4, 3, 4));
        var mask = Input(59, 3, 4).Mul(2);
        var actual = Runtime.Run(path, new Dictionary<string, Tensor> { ["q"] = q, ["k"] = k, ["v"] = v, ["mask"] = mask }).Values.Single();
        AssertClose("attention with float mask", mha.Forward(q, k, v, mask, needWeights: false).Output, actual);
    }

    [TestCase("additive", false)]
    [TestCase("dot", true)]
    [TestCase("general", false)]
    [TestCase("concat", true)]
    public void Seq2SeqAttention_MatchesRuntime(string kind, bool withMask)
    {
        Module attention = kind switch
        {
            "additive" => new AdditiveAttention(4, 6, 5, generator: Gen(60)),
            "dot" => new LuongAttention(6, LuongScore.Dot, generator: Gen(61)),
            "general" => new LuongAttention(4, LuongScore.General, keySize: 6, generator: Gen(62)),
            _ => new LuongAttention(4, LuongScore.Concat, keySize: 6, attentionSize: 5, generator: Gen(63)),
        };
        int querySize = kind == "dot" ? 6 : 4;
        var specs = new List<OnnxTensorSpec> { OnnxTensorSpec.Float("query", "batch", querySize), OnnxTensorSpec.Float("keys", "batch", "source", 6) };
        if (withMask) specs.Add(OnnxTensorSpec.Int64("mask", "batch", "source"));
        string path = ExportChecked(attention, specs, new OnnxExportOptions { OutputNames = ["context", "weights"] });
        var (q, k) = (Input(64, 3, querySize), Input(65, 3, 5, 6));
        var mask = Tensor.FromArray(new long[] { 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1 }, 3, 5);
        var feeds = new Dictionary<string, Tensor> { ["query"] = q, ["keys"] = k };
        if (withMask) feeds["mask"] = mask;
        var actual = Runtime.Run(path, feeds);
        var (context, weights) = attention switch
        {
            AdditiveAttention a => a.Forward(q, k, withMask ? mask : null),
            LuongAttention l => l.Forward(q, k, withMask ? mask : null),
            _ => throw new InvalidOperationException(),
        };
        AssertClose($"{kind} context", context, actual["context"]);
        AssertClose($"{kind} weights", weights, actual["weights"]);
    }
}
