using System.Numerics;
using static MLNetDeep.Tensors.Optim.OptimKernels;

namespace MLNetDeep.Tensors.Optim;

/// <summary>Options of <see cref="Adam"/> (PyTorch's <c>torch.optim.Adam</c>).</summary>
public sealed class AdamOptions
{
    /// <summary>Learning rate.</summary>
    public double LearningRate { get; set; } = 1e-3;

    /// <summary>Decay rate of the first-moment (gradient) running average.</summary>
    public double Beta1 { get; set; } = 0.9;

    /// <summary>Decay rate of the second-moment (squared gradient) running average.</summary>
    public double Beta2 { get; set; } = 0.999;

    /// <summary>Added to the denominator for numerical stability.</summary>
    public double Epsilon { get; set; } = 1e-8;

    /// <summary>L2 penalty: weight decay · parameter is added to the gradient (see <see cref="AdamW"/> for decoupled decay).</summary>
    public double WeightDecay { get; set; }

    /// <summary>Uses the maximum of all second-moment averages so far (AMSGrad).</summary>
    public bool AmsGrad { get; set; }
}

/// <summary>
/// Adam, as <c>torch.optim.Adam</c> in PyTorch 1.13 (single-tensor path):
/// <code>
/// t = t + 1
/// g = g + wd·p
/// m = β₁·m + (1 − β₁)·g
/// v = β₂·v + (1 − β₂)·g²
/// amsgrad: v̂ = max(v̂, v), used below in place of v
/// denom = √v / √(1 − β₂ᵗ) + eps
/// p = p − (lr / (1 − β₁ᵗ))·m / denom
/// </code>
/// State per parameter: <c>exp_avg</c>, <c>exp_avg_sq</c>, <c>max_exp_avg_sq</c> (AMSGrad), all
/// starting at zero on the parameter's first step, and the per-parameter step t.
/// </summary>
public sealed class Adam : AdamBase
{
    /// <summary>Creates the optimizer from individual hyperparameters.</summary>
    public Adam(IEnumerable<Tensor> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0, bool amsGrad = false)
        : this(parameters, new AdamOptions { LearningRate = learningRate, Beta1 = beta1, Beta2 = beta2, Epsilon = epsilon, WeightDecay = weightDecay, AmsGrad = amsGrad })
    {
    }

    /// <summary>Creates the optimizer from an options object (copied).</summary>
    public Adam(IEnumerable<Tensor> parameters, AdamOptions options)
        : base(parameters, (options ?? throw new ArgumentNullException(nameof(options))).LearningRate,
            AdamHyper.Create(options.Beta1, options.Beta2, options.Epsilon, options.WeightDecay, options.AmsGrad), decoupled: false)
    {
    }
}

/// <summary>
/// What <see cref="Adam"/> and <see cref="AdamW"/> share: hyperparameters, state buffers and the update
/// kernel; they differ only in how weight decay is applied (L2 term in the gradient, or decoupled).
/// </summary>
public abstract class AdamBase : Optimizer
{
    private readonly bool _decoupled;

    private protected AdamBase(IEnumerable<Tensor> parameters, double learningRate, AdamHyper hyper, bool decoupled)
        : base(parameters, learningRate)
    {
        Hyper = hyper;
        _decoupled = decoupled;
    }

    internal AdamHyper Hyper { get; private set; }

    /// <summary>First-moment decay rate.</summary>
    public double Beta1 => Hyper.Beta1;

    /// <summary>Second-moment decay rate.</summary>
    public double Beta2 => Hyper.Beta2;

    /// <summary>Denominator term for numerical stability.</summary>
    public double Epsilon => Hyper.Epsilon;

    /// <summary>Weight decay coefficient: an L2 term added to the gradient (Adam) or decoupled decay (AdamW).</summary>
    public double WeightDecay => Hyper.WeightDecay;

    /// <summary>Whether AMSGrad is used.</summary>
    public bool AmsGrad => Hyper.AmsGrad;

    /// <inheritdoc/>
    protected override void UpdateParameter(int index, Tensor parameter, Tensor gradient, ParameterState state) =>
        Hyper.Update(LearningRate, _decoupled, parameter, gradient, state);

    /// <inheritdoc/>
    protected override void WriteHyperparameters(IDictionary<string, string> scalars) => Hyper.Write(scalars);

    /// <inheritdoc/>
    protected override void ReadHyperparameters(IReadOnlyDictionary<string, string> scalars) =>
        Hyper = AdamHyper.Create(ReadDouble(scalars, "beta1"), ReadDouble(scalars, "beta2"), ReadDouble(scalars, "eps"), ReadDouble(scalars, "weight_decay"), ReadBool(scalars, "amsgrad"));

    /// <inheritdoc/>
    protected override IEnumerable<string> RequiredBuffers() => Hyper.RequiredBuffers;

    /// <inheritdoc/>
    protected override IEnumerable<string> KnownBuffers() => AdamHyper.KnownBuffers;
}

/// <summary>Hyperparameters and the update kernel shared by <see cref="Adam"/> and <see cref="AdamW"/>.</summary>
internal sealed record AdamHyper(double Beta1, double Beta2, double Epsilon, double WeightDecay, bool AmsGrad)
{
    public const string ExpAvg = "exp_avg", ExpAvgSq = "exp_avg_sq", MaxExpAvgSq = "max_exp_avg_sq";

    public static readonly string[] KnownBuffers = [ExpAvg, ExpAvgSq, MaxExpAvgSq];

    public string[] RequiredBuffers => AmsGrad ? KnownBuffers : [ExpAvg, ExpAvgSq];

    public static AdamHyper Create(double beta1, double beta2, double epsilon, double weightDecay, bool amsGrad)
    {
        if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentOutOfRangeException("Beta1", beta1, "Beta1 must be in [0, 1).");
        if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentOutOfRangeException("Beta2", beta2, "Beta2 must be in [0, 1).");
        if (!(epsilon >= 0)) throw new ArgumentOutOfRangeException("Epsilon", epsilon, "Epsilon must be non-negative.");
        if (!(weightDecay >= 0)) throw new ArgumentOutOfRangeException("WeightDecay", weightDecay, "WeightDecay must be non-negative.");
        return new AdamHyper(beta1, beta2, epsilon, weightDecay, amsGrad);
    }

    public void Write(IDictionary<string, string> scalars)
    {
        scalars["beta1"] = Beta1.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        scalars["beta2"] = Beta2.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        scalars["eps"] = Epsilon.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        scalars["weight_decay"] = WeightDecay.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        scalars["amsgrad"] = AmsGrad ? "true" : "false";
    }

    /// <summary>
    /// One Adam step on one parameter; <paramref name="decoupled"/> selects AdamW's
    /// <c>p = p·(1 − lr·wd)</c> instead of adding wd·p to the gradient.
    /// </summary>
    public void Update(double lr, bool decoupled, Tensor p, Tensor g, ParameterState state)
    {
        var m = state.GetOrAddBuffer(ExpAvg);
        var v = state.GetOrAddBuffer(ExpAvgSq);
        var vMax = AmsGrad ? state.GetOrAddBuffer(MaxExpAvgSq) : null;
        double step = state.Step;
        double biasCorrection1 = 1 - Math.Pow(Beta1, step);
        double biasCorrection2 = 1 - Math.Pow(Beta2, step);
        var k = new Scalars(
            WeightDecay: decoupled ? 0 : WeightDecay,
            Decay: decoupled ? 1 - lr * WeightDecay : 1,
            NegStepSize: -(lr / biasCorrection1),
            BiasCorrection2Sqrt: Math.Sqrt(biasCorrection2));
        if (p.DType == DType.Float32) Launch(new Kernel<float>(this, k, decoupled, p, g, m, v, vMax), p.Numel);
        else Launch(new Kernel<double>(this, k, decoupled, p, g, m, v, vMax), p.Numel);
    }

    private readonly record struct Scalars(double WeightDecay, double Decay, double NegStepSize, double BiasCorrection2Sqrt);

    private readonly struct Kernel<T>(AdamHyper h, Scalars k, bool decoupled, Tensor p, Tensor g, Tensor m, Tensor v, Tensor? vMax) : IRangeKernel
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T _wd = C<T>(k.WeightDecay), _decay = C<T>(k.Decay), _b1 = C<T>(h.Beta1), _omb1 = C<T>(1 - h.Beta1),
            _b2 = C<T>(h.Beta2), _omb2 = C<T>(1 - h.Beta2), _bc2 = C<T>(k.BiasCorrection2Sqrt), _eps = C<T>(h.Epsilon), _negStep = C<T>(k.NegStepSize);
        private readonly bool _hasWd = k.WeightDecay != 0;

        public void Run(int start, int end)
        {
            Span<T> ps = Range<T>(p, start, end), gs = Range<T>(g, start, end), ms = Range<T>(m, start, end), vs = Range<T>(v, start, end);
            Span<T> xs = vMax is null ? default : Range<T>(vMax, start, end);
            var pv = Vectors(ps); var gv = Vectors(gs); var mv = Vectors(ms); var vv = Vectors(vs); var xv = Vectors(xs);
            Vector<T> wd = new(_wd), decay = new(_decay), b1 = new(_b1), omb1 = new(_omb1), b2 = new(_b2), omb2 = new(_omb2),
                bc2 = new(_bc2), eps = new(_eps), negStep = new(_negStep);
            for (int i = 0; i < pv.Length; i++)
            {
                var w = pv[i];
                if (decoupled) w *= decay;
                var d = _hasWd ? Fma(w, wd, gv[i]) : gv[i];
                var a = Fma(d, omb1, mv[i] * b1);
                var s = Fma(omb2 * d, d, vv[i] * b2);
                mv[i] = a;
                vv[i] = s;
                if (vMax is not null) xv[i] = s = Vector.Max(xv[i], s);
                pv[i] = w + negStep * a / (Vector.SquareRoot(s) / bc2 + eps);
            }
            for (int i = pv.Length * Vector<T>.Count; i < ps.Length; i++)
            {
                var w = ps[i];
                if (decoupled) w *= _decay;
                var d = _hasWd ? T.FusedMultiplyAdd(w, _wd, gs[i]) : gs[i];
                var a = T.FusedMultiplyAdd(d, _omb1, ms[i] * _b1);
                var s = T.FusedMultiplyAdd(_omb2 * d, d, vs[i] * _b2);
                ms[i] = a;
                vs[i] = s;
                if (vMax is not null) xs[i] = s = T.Max(xs[i], s);
                ps[i] = w + _negStep * a / (T.Sqrt(s) / _bc2 + _eps);
            }
        }
    }
}
