using MLNetDeep.Tensors;

namespace MLNetDeep.Tests.Engine;

/// <summary>
/// Central finite-difference gradient check in float64: compares the autograd gradient of
/// sum(f(x)·r), r a fixed random projection, with (L(x+h) − L(x−h)) / 2h for every input element.
/// </summary>
public static class GradCheck
{
    public sealed record Result(bool Ok, string Message);

    public static Result Run(Func<Tensor[], Tensor> f, Tensor[] inputs, double eps = 1e-6, double atol = 1e-5, double rtol = 1e-4, int seed = 7)
    {
        foreach (var x in inputs)
            if (x.IsFloatingPoint && x.DType != DType.Float64) throw new ArgumentException("GradCheck needs float64 inputs.");
        var leaves = inputs.Select(x => x.IsFloatingPoint ? x.Detach().Contiguous(force: true).RequiresGrad_() : x).ToArray();
        var output = f(leaves);
        var proj = Tensor.Randn(output.Shape.ToArray(), new Generator((ulong)seed), dtype: DType.Float64);
        output.Mul(proj).Sum().Backward();

        double Objective(Tensor[] xs)
        {
            using var _ = Tensor.NoGrad();
            return f(xs).Mul(proj).Sum().Item();
        }

        for (int k = 0; k < leaves.Length; k++)
        {
            if (!leaves[k].IsFloatingPoint) continue;
            var analytic = leaves[k].Grad?.ToArray<double>() ?? new double[leaves[k].Numel];
            var probe = leaves.Select(x => x.Detach()).ToArray();
            var data = probe[k].Data<double>();
            for (int i = 0; i < data.Length; i++)
            {
                double orig = data[i];
                data[i] = orig + eps;
                double plus = Objective(probe);
                data = probe[k].Data<double>();
                data[i] = orig - eps;
                double minus = Objective(probe);
                data = probe[k].Data<double>();
                data[i] = orig;
                double numeric = (plus - minus) / (2 * eps);
                if (Math.Abs(numeric - analytic[i]) > atol + rtol * Math.Abs(numeric))
                    return new Result(false, $"input {k} element {i}: analytic {analytic[i]:G10} vs numeric {numeric:G10}");
            }
        }
        return new Result(true, "ok");
    }
}
