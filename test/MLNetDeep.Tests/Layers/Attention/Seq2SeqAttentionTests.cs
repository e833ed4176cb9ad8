using System.Text.Json.Nodes;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;
using MLNetDeep.Tests.Engine;
using MLNetDeep.Tests.Oracles;
using NUnit.Framework;
using static MLNetDeep.Tests.Layers.Attention.AttentionOracle;
using P = MLNetDeep.Tests.Parity.Parity;

namespace MLNetDeep.Tests.Layers.Attention;

/// <summary>Bahdanau and Luong attention against small torch references in the oracle, float64 gradchecks, masking, positional encodings.</summary>
[TestFixture]
public class Seq2SeqAttentionTests
{
    private TorchOracle _oracle = null!;

    [OneTimeSetUp] public void StartOracle() => _oracle = TorchOracle.Start();

    private void Compare(Module module, string reference, IDictionary<string, object?>? options, Func<Tensor, Tensor, (Tensor, Tensor)> forward,
        int querySize, int keySize, Tensor mask)
    {
        int b = 3, s = 5;
        using (Tensor.NoGrad())
        {
            int i = 0;
            foreach (var p in module.Parameters()) p.CopyFrom(p.Add(R(70 + i++, p.Shape.ToArray()).Mul(0.1)));
        }
        var q = R(1, b, querySize).RequiresGrad_();
        var k = R(2, b, s, keySize).RequiresGrad_();
        var (ctx, w) = forward(q, k);
        var up0 = P.UpstreamGradient(ctx, 3)!;
        var up1 = P.UpstreamGradient(w, 4)!;
        var tensors = new List<(string, JsonNode)> { ("query", T(q)), ("keys", T(k)), ("mask", BoolMask(mask)) };
        foreach (var (name, p) in module.NamedParameters()) tensors.Add((name, T(p)));
        var expected = _oracle.Reference(reference, tensors, options, [P.ToOracle(up0, false), P.ToOracle(up1, false)]);
        P.AssertClose("context", expected.Outputs[0], ctx);
        P.AssertClose("weights", expected.Outputs[1], w);
        ctx.Mul(up0).Sum().Add(w.Mul(up1).Sum()).Backward();
        P.AssertClose("query gradient", expected.Grads["query"], q.Grad);
        P.AssertClose("keys gradient", expected.Grads["keys"], k.Grad);
        foreach (var (name, p) in module.NamedParameters()) P.AssertClose($"gradient of {name}", expected.Grads[name], p.Grad);

        // Masked source positions: exactly zero weight, and the keys there get no gradient through the weights.
        var wa = w.ToArray<float>();
        var m = mask.ToArray<long>();
        for (int i = 0; i < m.Length; i++)
            if (m[i] != 0) Assert.That(wa[i], Is.EqualTo(0f), $"weight {i} is masked");
    }

    [Test]
    public void AdditiveAttentionMatchesTorch()
    {
        var att = new AdditiveAttention(4, 6, 5, new Generator(1));
        Compare(att, "additive", null, (q, k) => att.Forward(q, k, Mask()), 4, 6, Mask());
    }

    [TestCase(LuongScore.Dot, "dot", 6)]
    [TestCase(LuongScore.General, "general", 4)]
    [TestCase(LuongScore.Concat, "concat", 4)]
    public void LuongAttentionMatchesTorch(LuongScore score, string name, int querySize)
    {
        var att = new LuongAttention(querySize, score, keySize: 6, attentionSize: 5, generator: new Generator(2));
        Compare(att, "luong", new Dictionary<string, object?> { ["score"] = name }, (q, k) => att.Forward(q, k, Mask()), querySize, 6, Mask());
    }

    private static Tensor Mask() => Tensor.FromArray([0L, 0, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1], 3, 5);

    [Test]
    public void AdditiveAttentionGradCheckFloat64()
    {
        var att = new AdditiveAttention(3, 4, 2, new Generator(3), DType.Float64);
        var mask = Tensor.FromArray([0L, 1, 0, 0, 0, 0], 2, 3);
        var r = GradCheck.Run(t => att.Forward(t[0], t[1], mask).Context, [R(1, 2, 3).To(DType.Float64), R(2, 2, 3, 4).To(DType.Float64)]);
        Assert.That(r.Ok, Is.True, r.Message);
    }

    [Test]
    public void LuongAttentionRejectsBadShapes()
    {
        Assert.That(Assert.Throws<ArgumentException>(() => new LuongAttention(4, LuongScore.Dot, keySize: 5))!.ParamName, Is.EqualTo("keySize"));
        var att = new LuongAttention(4, LuongScore.General, keySize: 6);
        Assert.That(Assert.Throws<ArgumentException>(() => att.Forward(R(1, 2, 5), R(2, 2, 3, 6)))!.ParamName, Is.EqualTo("query"));
        Assert.That(Assert.Throws<ArgumentException>(() => att.Forward(R(1, 2, 4), R(2, 3, 3, 6)))!.ParamName, Is.EqualTo("keys"));
        Assert.That(Assert.Throws<ArgumentException>(() => att.Forward(R(1, 2, 4), R(2, 2, 3, 6), Tensor.Zeros(2, 4)))!.ParamName, Is.EqualTo("sourceMask"));
    }

    [Test]
    public void SinusoidalTableFollowsTheFormula()
    {
        var pe = SinusoidalPositionalEncoding.Build(7, 6).ToArray<double>();
        for (int pos = 0; pos < 7; pos++)
            for (int i = 0; i < 3; i++)
            {
                double angle = pos * Math.Exp(-Math.Log(10000.0) * (2 * i) / 6);
                Assert.That(pe[pos * 6 + 2 * i], Is.EqualTo(Math.Sin(angle)).Within(1e-12));
                Assert.That(pe[pos * 6 + 2 * i + 1], Is.EqualTo(Math.Cos(angle)).Within(1e-12));
            }
        var enc = new SinusoidalPositionalEncoding(6, 10, batchFirst: true);
        var x = R(1, 2, 4, 6);
        var y = enc.Forward(x).ToArray<float>();
        var xs = x.ToArray<float>();
        Assert.That(y[1 * 24 + 3 * 6 + 1] - xs[1 * 24 + 3 * 6 + 1], Is.EqualTo((float)pe[3 * 6 + 1]).Within(1e-6));
        Assert.That(enc.StateDict(), Is.Empty, "the table is not saved");
        Assert.That(Assert.Throws<ArgumentException>(() => enc.Forward(R(1, 2, 11, 6)))!.ParamName, Is.EqualTo("input"));
    }

    [Test]
    public void LearnedPositionalEmbeddingAddsRowsAndTrainsOnlyUsedRows()
    {
        var emb = new LearnedPositionalEmbedding(8, 3, batchFirst: false, generator: new Generator(5));
        var x = R(1, 4, 2, 3);
        var y = emb.Forward(x);
        y.Sum().Backward();
        var g = emb.Weight.Grad!.ToArray<float>();
        for (int r = 0; r < 8; r++)
            for (int c = 0; c < 3; c++) Assert.That(g[r * 3 + c], Is.EqualTo(r < 4 ? 2f : 0f), $"row {r}");
        Assert.That(y.ToArray<float>()[3 * 6 + 1 * 3 + 2], Is.EqualTo(x.ToArray<float>()[3 * 6 + 1 * 3 + 2] + emb.Weight.ToArray<float>()[3 * 3 + 2]).Within(1e-6));
        Assert.That(emb.NamedParameters().Select(p => p.Key), Is.EqualTo(new[] { "weight" }));
    }
}
