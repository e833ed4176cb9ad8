using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Optim;

namespace MLNetDeep.Tests.Optim;

/// <summary>
/// The deterministic problem behind the literal PyTorch values in these tests (all inputs are exact in
/// float32 or rounded from doubles the same way PyTorch rounds them):
/// p₀[i] = ((37i mod 101) − 50)/64 and, at step s, g = 0.3·p + ((13i + 7s) mod 29 − 14)/10
/// computed in the parameter's dtype. The values were produced with torch 1.13 on CPU:
/// <c>opt.zero_grad(set_to_none=True); p.grad = p.detach()*0.3 + c_s; opt.step()</c>.
/// </summary>
internal static class OptimTestData
{
    public static Tensor Init(int n, DType dtype = DType.Float32)
    {
        var a = new double[n];
        for (int i = 0; i < n; i++) a[i] = ((i * 37) % 101 - 50) / 64.0;
        return Tensor.FromArray(a, n).To(dtype).Detach();
    }

    public static Tensor CTerm(int n, int step, DType dtype = DType.Float32)
    {
        var a = new double[n];
        for (int i = 0; i < n; i++) a[i] = ((i * 13 + step * 7) % 29 - 14) / 10.0;
        return Tensor.FromArray(a, n).To(dtype).Detach();
    }

    /// <summary>Sets the step-<paramref name="step"/> gradient of the test problem on <paramref name="p"/>.</summary>
    public static void SetGrad(Tensor p, int step) =>
        p.Grad = p.Detach().Mul(0.3).Add(CTerm(p.Numel, step, p.DType).Reshape(p.Shape.ToArray()));

    /// <summary>Runs <paramref name="steps"/> steps of the test problem from step <paramref name="from"/>.</summary>
    public static void Run(Optimizer opt, int steps, int from = 0)
    {
        for (int s = from; s < from + steps; s++)
        {
            opt.ZeroGrad();
            foreach (var p in opt.Parameters) SetGrad(p, s);
            opt.Step();
        }
    }

    /// <summary>A fresh parameter of the test problem, run for five steps by the optimizer <paramref name="make"/> builds.</summary>
    public static float[] FiveSteps(Func<Tensor[], Optimizer> make, int n = 10)
    {
        var p = Init(n).RequiresGrad_();
        Run(make([p]), 5);
        return p.ToArray<float>();
    }
}
