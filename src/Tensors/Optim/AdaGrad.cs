using System.Numerics;
using static MLNetDeep.Tensors.Optim.OptimKernels;

namespace MLNetDeep.Tensors.Optim;

/// <summary>Options of <see cref="AdaGrad"/> (PyTorch's <c>torch.optim.Adagrad</c>).</summary>
public sealed class AdaGradOptions
{
    /// <summary>Learning rate.</summary>
    public double LearningRate { get; set; } = 0.01;

    /// <summary>Learning-rate decay: step t uses lr / (1 + (t − 1)·decay).</summary>
    public double LearningRateDecay { get; set; }

    /// <summary>L2 penalty: weight decay · parameter is added to the gradient.</summary>
    public double WeightDecay { get; set; }

    /// <summary>Starting value of the sum of squared gradients.</summary>
    public double InitialAccumulatorValue { get; set; }

    /// <summary>Added to the square root of the sum for numerical stability.</summary>
    public double Epsilon { get; set; } = 1e-10;
}

/// <summary>
/// AdaGrad, as <c>torch.optim.Adagrad</c> in PyTorch 1.13 (dense gradients):
/// <code>
/// t = t + 1;  clr = lr / (1 + (t − 1)·lr_decay)
/// g = g + wd·p
/// sum = sum + g²
/// p = p − clr·g / (√sum + eps)
/// </code>
/// State per parameter: <c>sum</c>, created for every parameter at construction (filled with the
/// initial accumulator value) as PyTorch does, and the per-parameter step.
/// </summary>
public sealed class AdaGrad : Optimizer
{
    private const string SumName = "sum";

    /// <summary>Creates the optimizer from individual hyperparameters.</summary>
    public AdaGrad(IEnumerable<Tensor> parameters, double learningRate = 0.01, double learningRateDecay = 0, double weightDecay = 0, double initialAccumulatorValue = 0, double epsilon = 1e-10)
        : this(parameters, new AdaGradOptions { LearningRate = learningRate, LearningRateDecay = learningRateDecay, WeightDecay = weightDecay, InitialAccumulatorValue = initialAccumulatorValue, Epsilon = epsilon })
    {
    }

    /// <summary>Creates the optimizer from an options object (copied).</summary>
    public AdaGrad(IEnumerable<Tensor> parameters, AdaGradOptions options)
        : base(parameters, (options ?? throw new ArgumentNullException(nameof(options))).LearningRate)
    {
        Set(options.LearningRateDecay, options.WeightDecay, options.InitialAccumulatorValue, options.Epsilon);
        for (int i = 0; i < Parameters.Count; i++) State(i).GetOrAddBuffer(SumName, InitialAccumulatorValue);
    }

    /// <summary>Learning-rate decay.</summary>
    public double LearningRateDecay { get; private set; }

    /// <summary>L2 weight decay coefficient.</summary>
    public double WeightDecay { get; private set; }

    /// <summary>Starting value of the accumulators.</summary>
    public double InitialAccumulatorValue { get; private set; }

    /// <summary>Denominator term for numerical stability.</summary>
    public double Epsilon { get; private set; }

    private void Set(double lrDecay, double weightDecay, double initial, double epsilon)
    {
        CheckNonNegative(lrDecay, "LearningRateDecay");
        CheckNonNegative(weightDecay, "WeightDecay");
        CheckNonNegative(initial, "InitialAccumulatorValue");
        CheckNonNegative(epsilon, "Epsilon");
        (LearningRateDecay, WeightDecay, InitialAccumulatorValue, Epsilon) = (lrDecay, weightDecay, initial, epsilon);
    }

    /// <inheritdoc/>
    protected override void UpdateParameter(int index, Tensor parameter, Tensor gradient, ParameterState state)
    {
        var sum = state.GetOrAddBuffer(SumName, InitialAccumulatorValue);
        double clr = LearningRate / (1 + (state.Step - 1) * LearningRateDecay);
        if (parameter.DType == DType.Float32) Launch(new Kernel<float>(this, clr, parameter, gradient, sum), parameter.Numel);
        else Launch(new Kernel<double>(this, clr, parameter, gradient, sum), parameter.Numel);
    }

    private readonly struct Kernel<T>(AdaGrad o, double clr, Tensor p, Tensor g, Tensor sum) : IRangeKernel
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T _wd = C<T>(o.WeightDecay), _eps = C<T>(o.Epsilon), _negClr = C<T>(-clr);
        private readonly bool _hasWd = o.WeightDecay != 0;

        public void Run(int start, int end)
        {
            Span<T> ps = Range<T>(p, start, end), gs = Range<T>(g, start, end), ss = Range<T>(sum, start, end);
            var pv = Vectors(ps); var gv = Vectors(gs); var sv = Vectors(ss);
            Vector<T> wd = new(_wd), eps = new(_eps), negClr = new(_negClr);
            for (int k = 0; k < pv.Length; k++)
            {
                var d = _hasWd ? Fma(pv[k], wd, gv[k]) : gv[k];
                var s = Fma(d, d, sv[k]);
                sv[k] = s;
                pv[k] += negClr * d / (Vector.SquareRoot(s) + eps);
            }
            for (int i = pv.Length * Vector<T>.Count; i < ps.Length; i++)
            {
                var d = _hasWd ? T.FusedMultiplyAdd(ps[i], _wd, gs[i]) : gs[i];
                var s = T.FusedMultiplyAdd(d, d, ss[i]);
                ss[i] = s;
                ps[i] += _negClr * d / (T.Sqrt(s) + _eps);
            }
        }
    }

    /// <inheritdoc/>
    protected override void WriteHyperparameters(IDictionary<string, string> scalars)
    {
        scalars["lr_decay"] = Format(LearningRateDecay);
        scalars["weight_decay"] = Format(WeightDecay);
        scalars["initial_accumulator_value"] = Format(InitialAccumulatorValue);
        scalars["eps"] = Format(Epsilon);
    }

    /// <inheritdoc/>
    protected override void ReadHyperparameters(IReadOnlyDictionary<string, string> scalars) =>
        Set(ReadDouble(scalars, "lr_decay"), ReadDouble(scalars, "weight_decay"), ReadDouble(scalars, "initial_accumulator_value"), ReadDouble(scalars, "eps"));

    /// <inheritdoc/>
    protected override IEnumerable<string> RequiredBuffers() => [SumName];

    /// <inheritdoc/>
    protected override IEnumerable<string> KnownBuffers() => [SumName];
}
