using System.Text.Json.Nodes;
using MLNetDeep.Tensors;
using MLNetDeep.Tests.Engine;
using MLNetDeep.Tests.Oracles;
using NUnit.Framework;
using static MLNetDeep.Tests.Layers.Attention.AttentionOracle;
using P = MLNetDeep.Tests.Parity.Parity;

namespace MLNetDeep.Tests.Layers.Attention;

/// <summary>F.ScaledDotProductAttention against a torch reference computed in the oracle (torch 1.13 has no SDPA).</summary>
[TestFixture]
public class ScaledDotProductAttentionTests
{
    private TorchOracle _oracle = null!;

    [OneTimeSetUp] public void StartOracle() => _oracle = TorchOracle.Start();

    public enum MaskKind { None, Bool, Float, Causal, BoolAndCausal }

    private static IEnumerable<TestCaseData> Cases()
    {
        yield return new TestCaseData(new[] { 2, 3 }, 5, 7, 8, 6, MaskKind.None).SetName("Sdpa_Rank4_NoMask");
        yield return new TestCaseData(new[] { 3 }, 4, 6, 5, 5, MaskKind.Bool).SetName("Sdpa_Rank3_BoolMask");
        yield return new TestCaseData(new[] { 2, 2 }, 6, 6, 4, 3, MaskKind.Float).SetName("Sdpa_Rank4_FloatMask");
        yield return new TestCaseData(new[] { 2, 2 }, 6, 6, 8, 8, MaskKind.Causal).SetName("Sdpa_Rank4_Causal");
        yield return new TestCaseData(new int[0], 5, 5, 4, 4, MaskKind.BoolAndCausal).SetName("Sdpa_Rank2_BoolMaskAndCausal");
        yield return new TestCaseData(new[] { 2, 1, 3 }, 3, 9, 4, 2, MaskKind.Bool).SetName("Sdpa_Rank5_BoolMask");
    }

    [TestCaseSource(nameof(Cases))]
    public void MatchesTorchReference(int[] lead, int l, int s, int e, int ev, MaskKind maskKind)
    {
        var q = R(1, [.. lead, l, e]).RequiresGrad_();
        var k = R(2, [.. lead, s, e]).RequiresGrad_();
        var v = R(3, [.. lead, s, ev]).RequiresGrad_();
        Tensor? mask = null;
        JsonNode? maskJson = null;
        if (maskKind is MaskKind.Bool or MaskKind.BoolAndCausal)
        {
            mask = RandomMask(4, 0.4, l, s); // broadcast over the leading dims
            maskJson = BoolMask(mask);
        }
        else if (maskKind == MaskKind.Float)
        {
            mask = R(4, [.. lead, l, s]);
            maskJson = T(mask, false);
        }
        bool causal = maskKind is MaskKind.Causal or MaskKind.BoolAndCausal;
        var y = F.ScaledDotProductAttention(q, k, v, mask, causal: causal);
        var up = P.UpstreamGradient(y, 5)!;

        var tensors = new List<(string, JsonNode)> { ("query", T(q)), ("key", T(k)), ("value", T(v)) };
        if (maskJson is not null) tensors.Add(("mask", maskJson));
        var expected = _oracle.Reference("sdpa", tensors, new Dictionary<string, object?> { ["causal"] = causal }, [P.ToOracle(up, false), null]);

        P.AssertClose("output", expected.Outputs[0], y);
        y.Mul(up).Sum().Backward();
        P.AssertClose("query gradient", expected.Grads["query"], q.Grad);
        P.AssertClose("key gradient", expected.Grads["key"], k.Grad);
        P.AssertClose("value gradient", expected.Grads["value"], v.Grad);
    }

    [Test]
    public void FusedAndComposedPathsAgreeOnStridedHeadViews()
    {
        // q/k/v as head-split views of [N, L, H, D] buffers (what MultiheadAttention feeds the kernel).
        var qb = R(1, 2, 5, 3, 4).RequiresGrad_();
        var kb = R(2, 2, 6, 3, 4).RequiresGrad_();
        var vb = R(3, 2, 6, 3, 4).RequiresGrad_();
        var mask = F.ToAdditiveMask(RandomMask(9, 0.3, 2, 1, 1, 6), DType.Float32);
        var fused = F.AttentionCore(qb.Permute(0, 2, 1, 3), kb.Permute(0, 2, 1, 3), vb.Permute(0, 2, 1, 3), mask, true, 0.5, [0, 2, 1, 3]);
        var up = R(4, 2, 3, 5, 4);
        fused.Mul(up).Sum().Backward();
        var grads = new[] { qb.Grad!, kb.Grad!, vb.Grad! };
        foreach (var t in new[] { qb, kb, vb }) t.Grad = null;
        var (composed, _) = F.ComposedAttention(qb.Permute(0, 2, 1, 3), kb.Permute(0, 2, 1, 3), vb.Permute(0, 2, 1, 3), mask, true, 0.5, 0, false, null);
        composed.Mul(up).Sum().Backward();
        AssertNear(fused, composed);
        AssertNear(grads[0], qb.Grad!);
        AssertNear(grads[1], kb.Grad!);
        AssertNear(grads[2], vb.Grad!);
        Assert.That(grads[0].IsContiguous, Is.True, "the query gradient reaches the [N, L, H, D] buffer without a copy");
    }

    private static void AssertNear(Tensor a, Tensor b)
    {
        var x = a.ToArray<float>();
        var y = b.ToArray<float>();
        Assert.That(a.Shape.ToArray(), Is.EqualTo(b.Shape.ToArray()));
        for (int i = 0; i < x.Length; i++) Assert.That(x[i], Is.EqualTo(y[i]).Within(1e-5 + 1e-4 * Math.Abs(y[i])), $"element {i}");
    }

    [Test]
    public void GradCheckFloat64WithMaskAndCausal()
    {
        var mask = RandomMask(4, 0.3, 4, 5);
        var r = GradCheck.Run(t => F.ScaledDotProductAttention(t[0], t[1], t[2], mask, causal: true),
            [R(1, 2, 4, 3).To(DType.Float64), R(2, 2, 5, 3).To(DType.Float64), R(3, 2, 5, 2).To(DType.Float64)]);
        Assert.That(r.Ok, Is.True, r.Message);
    }

    [Test]
    public void MaskedKeysGetExactlyZeroWeightAndNoGradient()
    {
        var q = R(1, 1, 3, 4).RequiresGrad_();
        var k = R(2, 1, 5, 4).RequiresGrad_();
        var v = R(3, 1, 5, 4).RequiresGrad_();
        var mask = Tensor.FromArray([0L, 0, 1, 0, 1], 1, 1, 5); // keys 2 and 4 masked for every query
        var y = F.ScaledDotProductAttention(q, k, v, mask);
        y.Mul(R(4, 1, 3, 4)).Sum().Backward();
        var dk = k.Grad!.ToArray<float>();
        var dv = v.Grad!.ToArray<float>();
        foreach (int j in new[] { 2, 4 })
            for (int c = 0; c < 4; c++)
            {
                Assert.That(dk[j * 4 + c], Is.EqualTo(0f), $"key {j} gradient");
                Assert.That(dv[j * 4 + c], Is.EqualTo(0f), $"value {j} gradient");
            }
        // Changing a masked value does not change the output at all.
        var v2 = v.Detach().Contiguous(force: true);
        v2.Data<float>()[2 * 4] += 100;
        Assert.That(F.ScaledDotProductAttention(q.Detach(), k.Detach(), v2, mask).ToArray<float>(), Is.EqualTo(y.ToArray<float>()));
    }

    [Test]
    public void BadInputNamesTheArgument()
    {
        var q = R(1, 2, 3, 4);
        Assert.That(Assert.Throws<ArgumentException>(() => F.ScaledDotProductAttention(q, R(2, 2, 5, 3), R(3, 2, 5, 4)))!.ParamName, Is.EqualTo("key"));
        Assert.That(Assert.Throws<ArgumentException>(() => F.ScaledDotProductAttention(q, R(2, 2, 5, 4), R(3, 2, 6, 4)))!.ParamName, Is.EqualTo("value"));
        Assert.That(Assert.Throws<ArgumentException>(() => F.ScaledDotProductAttention(q, R(2, 2, 5, 4), R(3, 2, 5, 4), Tensor.Zeros(3, 4)))!.ParamName, Is.EqualTo("mask"));
    }
}
