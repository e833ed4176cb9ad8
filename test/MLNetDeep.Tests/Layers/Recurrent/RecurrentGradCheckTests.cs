using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Kernels;
using MLNetDeep.Tests.Engine;
using NUnit.Framework;

namespace MLNetDeep.Tests.Layers.Recurrent;

/// <summary>
/// The fused recurrent primitive's hand-written backward against float64 central differences, for every
/// cell kind, both directions, padded variable-length batches and LSTM peepholes. H = 5 covers both the
/// SIMD body (4 doubles with AVX2) and the scalar tail of the gate loops.
/// </summary>
public class RecurrentGradCheckTests
{
    private const int Steps = 4, Batch = 3, In = 3, H = 5;

    private static Tensor R(int seed, params int[] shape) => Tensor.Randn(shape, new Generator((ulong)seed), std: 0.7, dtype: DType.Float64);

    public static IEnumerable<TestCaseData> Cases()
    {
        foreach (var kind in Enum.GetValues<RecurrentCellKind>())
            foreach (bool reverse in new[] { false, true })
            {
                yield return new TestCaseData(kind.ToString(), reverse, false, false).SetName($"RecurrentGradCheck_{kind}_{(reverse ? "Reverse" : "Forward")}");
                yield return new TestCaseData(kind.ToString(), reverse, true, false).SetName($"RecurrentGradCheck_{kind}_{(reverse ? "Reverse" : "Forward")}_Lengths");
            }
        yield return new TestCaseData("Lstm", false, true, true).SetName("RecurrentGradCheck_Lstm_Peephole_Lengths");
        yield return new TestCaseData("Lstm", true, false, true).SetName("RecurrentGradCheck_Lstm_Peephole_Reverse");
    }

    [TestCaseSource(nameof(Cases))]
    public void BackwardMatchesFiniteDifferences(string kindName, bool reverse, bool withLengths, bool peephole)
    {
        var kind = Enum.Parse<RecurrentCellKind>(kindName);
        int gates = kind switch { RecurrentCellKind.Lstm => 4, RecurrentCellKind.Gru => 3, _ => 1 };
        bool lstm = kind == RecurrentCellKind.Lstm;
        int[]? lengths = withLengths ? [4, 1, 3] : null;
        var inputs = new List<Tensor> { R(1, Steps, Batch, In), R(2, Batch, H) };
        if (lstm) inputs.Add(R(3, Batch, H));
        inputs.Add(R(4, gates * H, In));
        inputs.Add(R(5, gates * H, H));
        inputs.Add(R(6, gates * H));
        inputs.Add(R(7, gates * H));
        if (peephole) inputs.Add(R(8, 3, H));
        Tensor F_(Tensor[] x)
        {
            int k = 0;
            var xs = x[k++];
            var h0 = x[k++];
            var c0 = lstm ? x[k++] : null;
            var wih = x[k++];
            var whh = x[k++];
            var bih = x[k++];
            var bhh = x[k++];
            var p = peephole ? x[k++] : null;
            return F.RecurrentLayer(kind, xs, h0, c0, wih, whh, bih, bhh, p, lengths, reverse, 0);
        }
        var result = GradCheck.Run(F_, inputs.ToArray());
        Assert.That(result.Ok, Is.True, result.Message);
    }
}
