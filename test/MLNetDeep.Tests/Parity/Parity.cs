using MLNetDeep.Tensors;
using MLNetDeep.Tests.Oracles;
using NUnit.Framework;

namespace MLNetDeep.Tests.Parity;

/// <summary>Conversions between our tensors and the oracle's, and the tolerance check used by every parity test.</summary>
public static class Parity
{
    /// <summary>fp32 tolerances from the engine issue's acceptance criteria.</summary>
    public const double Rtol = 1e-4, Atol = 1e-5;

    public static OracleTensor ToOracle(Tensor t, bool requiresGrad = true)
    {
        var shape = t.Shape.ToArray();
        var o = t.DType switch
        {
            DType.Float32 => OracleTensor.F32(t.ToArray<float>(), shape),
            DType.Float64 => OracleTensor.F64(t.ToArray<double>(), shape),
            _ => OracleTensor.I64(t.ToArray<long>(), shape),
        };
        return requiresGrad ? o : o.NoGrad();
    }

    public static Tensor FromOracle(OracleTensor o) => o.DType switch
    {
        OracleTensor.Float32 => Tensor.FromArray(o.ToFloatArray(), o.Shape),
        OracleTensor.Float64 => Tensor.FromArray(o.ToDoubleArray(), o.Shape),
        _ => Tensor.FromArray(o.ToLongArray(), o.Shape),
    };

    /// <summary>Asserts same shape and |ours − torch| ≤ atol + rtol·|torch| elementwise.</summary>
    public static void AssertClose(string what, OracleTensor? expected, Tensor? actual, double rtol = Rtol, double atol = Atol)
    {
        Assert.That(expected, Is.Not.Null, $"{what}: PyTorch returned nothing");
        Assert.That(actual, Is.Not.Null, $"{what}: we returned nothing");
        Assert.That(actual!.Shape.ToArray(), Is.EqualTo(expected!.Shape), $"{what}: shape");
        var e = expected.ToDoubleArray();
        var a = actual.ToDoubleArray();
        int worst = -1;
        double worstExcess = 0;
        for (int i = 0; i < e.Length; i++)
        {
            if (double.IsNaN(e[i]) && double.IsNaN(a[i])) continue;
            if (e[i] == a[i]) continue; // also matches equal infinities
            double excess = Math.Abs(a[i] - e[i]) - (atol + rtol * Math.Abs(e[i]));
            if (double.IsNaN(excess) || excess > worstExcess) { worstExcess = double.IsNaN(excess) ? double.PositiveInfinity : excess; worst = i; }
        }
        if (worst >= 0)
            Assert.Fail($"{what}: element {worst} of {e.Length}: ours {a[worst]:G9} vs torch {e[worst]:G9} (rtol {rtol}, atol {atol})");
    }

    /// <summary>Random gradient for an output (seeded), or null for integer outputs.</summary>
    public static Tensor? UpstreamGradient(Tensor output, int seed) =>
        output.IsFloatingPoint ? Tensor.Randn(output.Shape.ToArray(), new Generator((ulong)seed), dtype: output.DType) : null;
}
