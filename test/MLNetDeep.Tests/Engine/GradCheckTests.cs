using MLNetDeep.Tensors;
using NUnit.Framework;

namespace MLNetDeep.Tests.Engine;

/// <summary>Finite-difference checks (float64) of every primitive's backward rule.</summary>
public class GradCheckTests
{
    private static Tensor R(int seed, params int[] shape) => Tensor.Randn(shape, new Generator((ulong)seed), dtype: DType.Float64);
    private static Tensor Pos(int seed, params int[] shape) => Tensor.Rand(shape, new Generator((ulong)seed), 0.5, 2.0, DType.Float64);
    private static Tensor Idx(long[] v, params int[] shape) => Tensor.FromArray(v, shape);

    public static IEnumerable<TestCaseData> Cases()
    {
        TestCaseData C(string name, Func<Tensor[], Tensor> f, params Tensor[] xs) => new TestCaseData(f, xs).SetName("GradCheck_" + name);
        yield return C("Add_Broadcast", x => x[0].Add(x[1]), R(1, 3, 4), R(2, 4));
        yield return C("Sub_Broadcast", x => x[0].Sub(x[1]), R(1, 3, 1), R(2, 1, 4));
        yield return C("Mul_Broadcast", x => x[0].Mul(x[1]), R(1, 2, 3, 4), R(2, 3, 1));
        yield return C("Div", x => x[0].Div(x[1]), R(1, 3, 4), Pos(2, 3, 4));
        yield return C("Pow_Tensor", x => x[0].Pow(x[1]), Pos(1, 3, 4), R(2, 3, 4));
        yield return C("Pow_Scalar", x => x[0].Pow(2.5), Pos(1, 5));
        yield return C("Maximum", x => x[0].Maximum(x[1]), R(1, 4, 3), R(2, 4, 3));
        yield return C("Neg", x => x[0].Neg(), R(1, 5));
        yield return C("Exp", x => x[0].Exp(), R(1, 2, 5));
        yield return C("Log", x => x[0].Log(), Pos(1, 2, 5));
        yield return C("Sqrt", x => x[0].Sqrt(), Pos(1, 7));
        yield return C("Tanh", x => x[0].Tanh(), R(1, 7));
        yield return C("Sigmoid", x => x[0].Sigmoid(), R(1, 7));
        yield return C("Relu", x => x[0].Relu(), R(1, 9));
        yield return C("Abs", x => x[0].Abs(), R(1, 9));
        yield return C("Erf", x => x[0].Erf(), R(1, 9).Mul(2));
        yield return C("Clamp", x => x[0].Clamp(-0.5, 0.5), R(1, 9));
        yield return C("Sum_Axes", x => x[0].Sum([0, 2]), R(1, 2, 3, 4));
        yield return C("Sum_KeepDim", x => x[0].Sum(1, keepDim: true), R(1, 2, 3, 4));
        yield return C("Max_Axis", x => x[0].Max(1), R(1, 3, 5));
        yield return C("Max_All", x => x[0].Max(), R(1, 3, 5));
        yield return C("Expand", x => x[0].Expand(3, 2, 4), R(1, 2, 1));
        yield return C("Reshape", x => x[0].Reshape(4, -1), R(1, 2, 6));
        yield return C("Permute_Contiguous", x => x[0].Permute(2, 0, 1).Contiguous(), R(1, 2, 3, 4));
        yield return C("Slice_Step", x => x[0].Slice(1, 1, 6, 2), R(1, 3, 7));
        yield return C("Squeeze_Unsqueeze", x => x[0].Unsqueeze(1).Squeeze(2).Mul(x[0].Unsqueeze(1)), R(1, 3, 1));
        yield return C("Cat", x => Tensor.Cat([x[0], x[1]], 1), R(1, 2, 3), R(2, 2, 2));
        yield return C("MatMul_2D", x => x[0].MatMul(x[1]), R(1, 3, 4), R(2, 4, 5));
        yield return C("MatMul_TransposedView", x => x[0].T.MatMul(x[1].T), R(1, 4, 3), R(2, 5, 4));
        yield return C("MatMul_BatchBroadcast", x => x[0].MatMul(x[1]), R(1, 2, 3, 4), R(2, 4, 2));
        yield return C("MatMul_Vector", x => x[0].MatMul(x[1]), R(1, 3, 4), R(2, 4));
        yield return C("Linear_Fused", x => F.Linear(x[0], x[1], x[2]), R(1, 2, 3, 5), R(2, 4, 5), R(3, 4));
        yield return C("Linear_Fused_TransposedInput", x => F.Linear(x[0].T, x[1]), R(1, 5, 3), R(2, 4, 5));
        yield return C("Relu_ThroughOutputMask", x => x[0].Relu().Mul(x[1]), R(1, 4, 6), R(2, 4, 6));
        yield return C("IndexSelect", x => x[0].IndexSelect(0, Idx([2, 0, 2], 3)), R(1, 4, 3));
        yield return C("IndexAdd", x => x[0].IndexAdd(1, Idx([1, 1], 2), x[1]), R(1, 3, 4), R(2, 3, 2));
        yield return C("Gather", x => x[0].Gather(1, Idx([0, 2, 1, 1, 0, 0], 3, 2)), R(1, 3, 4));
        yield return C("ScatterAdd", x => x[0].ScatterAdd(0, Idx([1, 0, 1, 1], 2, 2), x[1]), R(1, 2, 2), R(2, 2, 2));
        yield return C("Where", x => Tensor.Where(x[0].Gt(0), x[1], x[2]), R(1, 3, 4), R(2, 3, 4), R(3, 4));
        yield return C("Mean_Var", x => x[0].Var([1]).Add(x[0].Mean(0).Sum()), R(1, 3, 5));
    }

    [TestCaseSource(nameof(Cases))]
    public void PrimitiveBackwardMatchesFiniteDifferences(Func<Tensor[], Tensor> f, Tensor[] inputs)
    {
        var r = GradCheck.Run(f, inputs);
        Assert.That(r.Ok, Is.True, r.Message);
    }

    [Test]
    public void GradCheckDetectsAWrongBackwardRule()
    {
        // x² with a backward rule that forgets the factor 2.
        Tensor WrongSquare(Tensor[] x)
        {
            var y = x[0].Detach().Mul(x[0].Detach());
            return Tensor.Record(y, "WrongSquare", [x[0]], g => [g.Mul(x[0].Detach())]);
        }
        var r = GradCheck.Run(WrongSquare, [R(1, 4)]);
        Assert.That(r.Ok, Is.False);
    }

    [Test]
    public void GradCheckFailsWhenTheStepIsTooSmall()
    {
        // With h = 1e-13 cancellation noise swamps the difference quotient.
        var r = GradCheck.Run(x => x[0].Exp().Mul(1e3), [R(1, 6)], eps: 1e-13, atol: 1e-9, rtol: 1e-9);
        Assert.That(r.Ok, Is.False);
    }
}
