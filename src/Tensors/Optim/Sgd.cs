using System.Numerics;
using static MLNetDeep.Tensors.Optim.OptimKernels;

namespace MLNetDeep.Tensors.Optim;

/// <summary>Options of <see cref="Sgd"/> (PyTorch's <c>torch.optim.SGD</c>).</summary>
public sealed class SgdOptions
{
    /// <summary>Learning rate (PyTorch requires it; this default is only a starting point).</summary>
    public double LearningRate { get; set; } = 0.01;

    /// <summary>Momentum factor; 0 turns momentum off.</summary>
    public double Momentum { get; set; }

    /// <summary>Dampening of the momentum: the gradient enters the buffer scaled by 1 − dampening (not on the first step).</summary>
    public double Dampening { get; set; }

    /// <summary>Nesterov momentum (needs momentum &gt; 0 and dampening 0).</summary>
    public bool Nesterov { get; set; }

    /// <summary>L2 penalty: weight decay · parameter is added to the gradient.</summary>
    public double WeightDecay { get; set; }
}

/// <summary>
/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight
/// decay, as <c>torch.optim.SGD</c> in PyTorch 1.13:
/// <code>
/// d = g + wd·p
/// if momentum ≠ 0:
///     b = d                              (first step)
///     b = momentum·b + (1 − dampening)·d (later steps)
///     d = nesterov ? d + momentum·b : b
/// p = p − lr·d
/// </code>
/// State per parameter: <c>momentum_buffer</c> (only with momentum).
/// </summary>
public sealed class Sgd : Optimizer
{
    private const string BufferName = "momentum_buffer";

    /// <summary>Creates the optimizer from individual hyperparameters.</summary>
    public Sgd(IEnumerable<Tensor> parameters, double learningRate, double momentum = 0, double dampening = 0, bool nesterov = false, double weightDecay = 0)
        : this(parameters, new SgdOptions { LearningRate = learningRate, Momentum = momentum, Dampening = dampening, Nesterov = nesterov, WeightDecay = weightDecay })
    {
    }

    /// <summary>Creates the optimizer from an options object (copied).</summary>
    public Sgd(IEnumerable<Tensor> parameters, SgdOptions options)
        : base(parameters, (options ?? throw new ArgumentNullException(nameof(options))).LearningRate)
    {
        Set(options.Momentum, options.Dampening, options.Nesterov, options.WeightDecay);
    }

    /// <summary>Momentum factor.</summary>
    public double Momentum { get; private set; }

    /// <summary>Momentum dampening.</summary>
    public double Dampening { get; private set; }

    /// <summary>Whether Nesterov momentum is used.</summary>
    public bool Nesterov { get; private set; }

    /// <summary>L2 weight decay coefficient.</summary>
    public double WeightDecay { get; private set; }

    private void Set(double momentum, double dampening, bool nesterov, double weightDecay)
    {
        CheckNonNegative(momentum, "Momentum");
        if (double.IsNaN(dampening)) throw new ArgumentOutOfRangeException("Dampening", dampening, "Dampening must be a number.");
        CheckNonNegative(weightDecay, "WeightDecay");
        if (nesterov && (momentum <= 0 || dampening != 0))
            throw new ArgumentException("Nesterov momentum requires a positive momentum and zero dampening.");
        (Momentum, Dampening, Nesterov, WeightDecay) = (momentum, dampening, nesterov, weightDecay);
    }

    /// <inheritdoc/>
    protected override void UpdateParameter(int index, Tensor parameter, Tensor gradient, ParameterState state)
    {
        Tensor? buffer = null;
        bool first = false;
        if (Momentum != 0)
        {
            buffer = state.Buffer(BufferName);
            if (buffer is null)
            {
                first = true;
                buffer = Tensor.Zeros(parameter.Dims, parameter.DType);
                state.SetBuffer(BufferName, buffer);
            }
        }
        if (parameter.DType == DType.Float32) Launch(new Kernel<float>(this, parameter, gradient, buffer, first), parameter.Numel);
        else Launch(new Kernel<double>(this, parameter, gradient, buffer, first), parameter.Numel);
    }

    private readonly struct Kernel<T>(Sgd o, Tensor p, Tensor g, Tensor? buf, bool first) : IRangeKernel
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T _wd = C<T>(o.WeightDecay), _mom = C<T>(o.Momentum), _oneMinusDamp = C<T>(1 - o.Dampening), _negLr = C<T>(-o.LearningRate);
        private readonly bool _hasWd = o.WeightDecay != 0, _nesterov = o.Nesterov;

        public void Run(int start, int end)
        {
            Span<T> ps = Range<T>(p, start, end), gs = Range<T>(g, start, end);
            Span<T> bs = buf is null ? default : Range<T>(buf, start, end);
            var pv = Vectors(ps); var gv = Vectors(gs); var bv = Vectors(bs);
            Vector<T> wd = new(_wd), mom = new(_mom), omd = new(_oneMinusDamp), negLr = new(_negLr);
            for (int k = 0; k < pv.Length; k++)
            {
                var d = gv[k];
                if (_hasWd) d = Fma(pv[k], wd, d);
                if (buf is not null)
                {
                    var b = first ? d : Fma(d, omd, bv[k] * mom);
                    bv[k] = b;
                    d = _nesterov ? Fma(b, mom, d) : b;
                }
                pv[k] = Fma(d, negLr, pv[k]);
            }
            for (int i = pv.Length * Vector<T>.Count; i < ps.Length; i++)
            {
                var d = gs[i];
                if (_hasWd) d = T.FusedMultiplyAdd(ps[i], _wd, d);
                if (buf is not null)
                {
                    var b = first ? d : T.FusedMultiplyAdd(d, _oneMinusDamp, bs[i] * _mom);
                    bs[i] = b;
                    d = _nesterov ? T.FusedMultiplyAdd(b, _mom, d) : b;
                }
                ps[i] = T.FusedMultiplyAdd(d, _negLr, ps[i]);
            }
        }
    }

    /// <inheritdoc/>
    protected override void WriteHyperparameters(IDictionary<string, string> scalars)
    {
        scalars["momentum"] = Format(Momentum);
        scalars["dampening"] = Format(Dampening);
        scalars["nesterov"] = Format(Nesterov);
        scalars["weight_decay"] = Format(WeightDecay);
    }

    /// <inheritdoc/>
    protected override void ReadHyperparameters(IReadOnlyDictionary<string, string> scalars) =>
        Set(ReadDouble(scalars, "momentum"), ReadDouble(scalars, "dampening"), ReadBool(scalars, "nesterov"), ReadDouble(scalars, "weight_decay"));

    /// <inheritdoc/>
    protected override IEnumerable<string> RequiredBuffers() => [];

    /// <inheritdoc/>
    protected override IEnumerable<string> KnownBuffers() => [BufferName];
}
