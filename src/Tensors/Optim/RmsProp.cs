using System.Numerics;
using static MLNetDeep.Tensors.Optim.OptimKernels;

namespace MLNetDeep.Tensors.Optim;

/// <summary>Options of <see cref="RmsProp"/> (PyTorch's <c>torch.optim.RMSprop</c>).</summary>
public sealed class RmsPropOptions
{
    /// <summary>Learning rate.</summary>
    public double LearningRate { get; set; } = 0.01;

    /// <summary>Smoothing constant of the running average of squared gradients.</summary>
    public double Alpha { get; set; } = 0.99;

    /// <summary>Added to the root of the average for numerical stability.</summary>
    public double Epsilon { get; set; } = 1e-8;

    /// <summary>L2 penalty: weight decay · parameter is added to the gradient.</summary>
    public double WeightDecay { get; set; }

    /// <summary>Momentum factor; 0 turns momentum off.</summary>
    public double Momentum { get; set; }

    /// <summary>Normalizes by an estimate of the gradient's variance (subtracting the squared running mean of the gradient).</summary>
    public bool Centered { get; set; }
}

/// <summary>
/// RMSProp, as <c>torch.optim.RMSprop</c> in PyTorch 1.13:
/// <code>
/// g = g + wd·p
/// v = α·v + (1 − α)·g²
/// centered: m = α·m + (1 − α)·g;  a = √(v − m²) + eps      otherwise a = √v + eps
/// momentum &gt; 0: b = momentum·b + g/a;  p = p − lr·b         otherwise p = p − lr·g/a
/// </code>
/// State per parameter: <c>square_avg</c>, <c>grad_avg</c> (centered), <c>momentum_buffer</c> (momentum), all starting at zero.
/// </summary>
public sealed class RmsProp : Optimizer
{
    private const string SquareAvg = "square_avg", GradAvg = "grad_avg", MomentumBuffer = "momentum_buffer";

    /// <summary>Creates the optimizer from individual hyperparameters.</summary>
    public RmsProp(IEnumerable<Tensor> parameters, double learningRate = 0.01, double alpha = 0.99, double epsilon = 1e-8, double weightDecay = 0, double momentum = 0, bool centered = false)
        : this(parameters, new RmsPropOptions { LearningRate = learningRate, Alpha = alpha, Epsilon = epsilon, WeightDecay = weightDecay, Momentum = momentum, Centered = centered })
    {
    }

    /// <summary>Creates the optimizer from an options object (copied).</summary>
    public RmsProp(IEnumerable<Tensor> parameters, RmsPropOptions options)
        : base(parameters, (options ?? throw new ArgumentNullException(nameof(options))).LearningRate)
    {
        Set(options.Alpha, options.Epsilon, options.WeightDecay, options.Momentum, options.Centered);
    }

    /// <summary>Smoothing constant.</summary>
    public double Alpha { get; private set; }

    /// <summary>Denominator term for numerical stability.</summary>
    public double Epsilon { get; private set; }

    /// <summary>L2 weight decay coefficient.</summary>
    public double WeightDecay { get; private set; }

    /// <summary>Momentum factor.</summary>
    public double Momentum { get; private set; }

    /// <summary>Whether the centered variant is used.</summary>
    public bool Centered { get; private set; }

    private void Set(double alpha, double epsilon, double weightDecay, double momentum, bool centered)
    {
        CheckNonNegative(alpha, "Alpha");
        CheckNonNegative(epsilon, "Epsilon");
        CheckNonNegative(weightDecay, "WeightDecay");
        CheckNonNegative(momentum, "Momentum");
        (Alpha, Epsilon, WeightDecay, Momentum, Centered) = (alpha, epsilon, weightDecay, momentum, centered);
    }

    /// <inheritdoc/>
    protected override void UpdateParameter(int index, Tensor parameter, Tensor gradient, ParameterState state)
    {
        var sq = state.GetOrAddBuffer(SquareAvg);
        var ga = Centered ? state.GetOrAddBuffer(GradAvg) : null;
        var buf = Momentum > 0 ? state.GetOrAddBuffer(MomentumBuffer) : null;
        if (parameter.DType == DType.Float32) Launch(new Kernel<float>(this, parameter, gradient, sq, ga, buf), parameter.Numel);
        else Launch(new Kernel<double>(this, parameter, gradient, sq, ga, buf), parameter.Numel);
    }

    private readonly struct Kernel<T>(RmsProp o, Tensor p, Tensor g, Tensor sq, Tensor? ga, Tensor? buf) : IRangeKernel
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T _wd = C<T>(o.WeightDecay), _alpha = C<T>(o.Alpha), _oneMinusAlpha = C<T>(1 - o.Alpha),
            _eps = C<T>(o.Epsilon), _mom = C<T>(o.Momentum), _negLr = C<T>(-o.LearningRate);
        private readonly bool _hasWd = o.WeightDecay != 0;

        public void Run(int start, int end)
        {
            Span<T> ps = Range<T>(p, start, end), gs = Range<T>(g, start, end), ss = Range<T>(sq, start, end);
            Span<T> ms = ga is null ? default : Range<T>(ga, start, end), bs = buf is null ? default : Range<T>(buf, start, end);
            var pv = Vectors(ps); var gv = Vectors(gs); var sv = Vectors(ss); var mv = Vectors(ms); var bv = Vectors(bs);
            Vector<T> wd = new(_wd), alpha = new(_alpha), oma = new(_oneMinusAlpha), eps = new(_eps), mom = new(_mom), negLr = new(_negLr);
            for (int k = 0; k < pv.Length; k++)
            {
                var d = _hasWd ? Fma(pv[k], wd, gv[k]) : gv[k];
                var s = Fma(oma * d, d, sv[k] * alpha);
                sv[k] = s;
                Vector<T> avg;
                if (ga is not null)
                {
                    var m = Fma(d, oma, mv[k] * alpha);
                    mv[k] = m;
                    avg = Vector.SquareRoot(Fma(-m, m, s)) + eps;
                }
                else avg = Vector.SquareRoot(s) + eps;
                if (buf is not null)
                {
                    var b = bv[k] * mom + d / avg;
                    bv[k] = b;
                    pv[k] = Fma(b, negLr, pv[k]);
                }
                else pv[k] += negLr * d / avg;
            }
            for (int i = pv.Length * Vector<T>.Count; i < ps.Length; i++)
            {
                var d = _hasWd ? T.FusedMultiplyAdd(ps[i], _wd, gs[i]) : gs[i];
                var s = T.FusedMultiplyAdd(_oneMinusAlpha * d, d, ss[i] * _alpha);
                ss[i] = s;
                T avg;
                if (ga is not null)
                {
                    var m = T.FusedMultiplyAdd(d, _oneMinusAlpha, ms[i] * _alpha);
                    ms[i] = m;
                    avg = T.Sqrt(T.FusedMultiplyAdd(-m, m, s)) + _eps;
                }
                else avg = T.Sqrt(s) + _eps;
                if (buf is not null)
                {
                    var b = bs[i] * _mom + d / avg;
                    bs[i] = b;
                    ps[i] = T.FusedMultiplyAdd(b, _negLr, ps[i]);
                }
                else ps[i] += _negLr * d / avg;
            }
        }
    }

    /// <inheritdoc/>
    protected override void WriteHyperparameters(IDictionary<string, string> scalars)
    {
        scalars["alpha"] = Format(Alpha);
        scalars["eps"] = Format(Epsilon);
        scalars["weight_decay"] = Format(WeightDecay);
        scalars["momentum"] = Format(Momentum);
        scalars["centered"] = Format(Centered);
    }

    /// <inheritdoc/>
    protected override void ReadHyperparameters(IReadOnlyDictionary<string, string> scalars) =>
        Set(ReadDouble(scalars, "alpha"), ReadDouble(scalars, "eps"), ReadDouble(scalars, "weight_decay"), ReadDouble(scalars, "momentum"), ReadBool(scalars, "centered"));

    /// <inheritdoc/>
    protected override IEnumerable<string> RequiredBuffers()
    {
        yield return SquareAvg;
        if (Centered) yield return GradAvg;
        if (Momentum > 0) yield return MomentumBuffer;
    }

    /// <inheritdoc/>
    protected override IEnumerable<string> KnownBuffers() => [SquareAvg, GradAvg, MomentumBuffer];
}
