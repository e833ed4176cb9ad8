namespace MLNetDeep.Tensors.Optim;

/// <summary>
/// Multiplies the learning rate by <c>gamma</c> every <c>stepSize</c> epochs, as
/// <c>torch.optim.lr_scheduler.StepLR</c> (chainable form: lr ← lr·γ when the epoch is a positive
/// multiple of the step size), i.e. lr = base·γ^⌊epoch / stepSize⌋ up to rounding.
/// </summary>
public sealed class StepLR : LearningRateScheduler
{
    /// <summary>Creates the scheduler and performs the initial step.</summary>
    public StepLR(Optimizer optimizer, int stepSize, double gamma = 0.1) : base(optimizer)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stepSize, 1);
        if (double.IsNaN(gamma)) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "gamma must be a number.");
        (StepSize, Gamma) = (stepSize, gamma);
        InitialStep();
    }

    /// <summary>Epochs between decays.</summary>
    public int StepSize { get; }

    /// <summary>Decay factor.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    protected override double ComputeLearningRate() =>
        LastEpoch == 0 || LastEpoch % StepSize != 0 ? Optimizer.LearningRate : Optimizer.LearningRate * Gamma;
}

/// <summary>
/// Cosine annealing from the base rate to <c>etaMin</c> over <c>tMax</c> epochs, in closed form:
/// lr = etaMin + (base − etaMin)·(1 + cos(π·epoch / tMax)) / 2 (periodic beyond tMax).
/// <c>torch.optim.lr_scheduler.CosineAnnealingLR</c> computes the same values recursively, so they
/// agree up to rounding (≈1e-16 relative).
/// </summary>
public sealed class CosineAnnealingLR : LearningRateScheduler
{
    /// <summary>Creates the scheduler and performs the initial step.</summary>
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin = 0) : base(optimizer)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tMax, 1);
        if (!(etaMin >= 0)) throw new ArgumentOutOfRangeException(nameof(etaMin), etaMin, "etaMin must be non-negative.");
        (TMax, EtaMin) = (tMax, etaMin);
        InitialStep();
    }

    /// <summary>Half-period in epochs.</summary>
    public int TMax { get; }

    /// <summary>Minimum learning rate.</summary>
    public double EtaMin { get; }

    /// <inheritdoc/>
    protected override double ComputeLearningRate() =>
        EtaMin + (BaseLearningRate - EtaMin) * (1 + Math.Cos(Math.PI * LastEpoch / TMax)) / 2;
}

/// <summary>
/// Linear ramp of the multiplier from <c>startFactor</c> to <c>endFactor</c> over <c>totalIters</c>
/// epochs (a linear warmup with the defaults), then constant, as
/// <c>torch.optim.lr_scheduler.LinearLR</c>. Uses PyTorch's chainable form
/// (lr ← lr·(1 + (e − s)/(T·s + (t − 1)·(e − s)))), equal to
/// base·(s + (e − s)·min(t, T)/T) up to rounding.
/// </summary>
public sealed class LinearLR : LearningRateScheduler
{
    /// <summary>Creates the scheduler and performs the initial step (which sets lr = base·startFactor).</summary>
    public LinearLR(Optimizer optimizer, double startFactor = 1.0 / 3, double endFactor = 1.0, int totalIters = 5) : base(optimizer)
    {
        if (!(startFactor > 0 && startFactor <= 1)) throw new ArgumentOutOfRangeException(nameof(startFactor), startFactor, "startFactor must be in (0, 1].");
        if (!(endFactor >= 0 && endFactor <= 1)) throw new ArgumentOutOfRangeException(nameof(endFactor), endFactor, "endFactor must be in [0, 1].");
        ArgumentOutOfRangeException.ThrowIfLessThan(totalIters, 1);
        (StartFactor, EndFactor, TotalIters) = (startFactor, endFactor, totalIters);
        InitialStep();
    }

    /// <summary>Multiplier at epoch 0.</summary>
    public double StartFactor { get; }

    /// <summary>Multiplier from epoch <see cref="TotalIters"/> on.</summary>
    public double EndFactor { get; }

    /// <summary>Length of the ramp in epochs.</summary>
    public int TotalIters { get; }

    /// <inheritdoc/>
    protected override double ComputeLearningRate()
    {
        double lr = Optimizer.LearningRate;
        if (LastEpoch == 0) return lr * StartFactor;
        if (LastEpoch > TotalIters) return lr;
        return lr * (1.0 + (EndFactor - StartFactor) / (TotalIters * StartFactor + (LastEpoch - 1) * (EndFactor - StartFactor)));
    }
}

/// <summary>lr = base·factor(epoch), as <c>torch.optim.lr_scheduler.LambdaLR</c>.</summary>
public sealed class LambdaLR : LearningRateScheduler
{
    private readonly Func<int, double> _factor;

    /// <summary>Creates the scheduler and performs the initial step (lr = base·factor(0)).</summary>
    public LambdaLR(Optimizer optimizer, Func<int, double> factor) : base(optimizer)
    {
        _factor = factor ?? throw new ArgumentNullException(nameof(factor));
        InitialStep();
    }

    /// <inheritdoc/>
    protected override double ComputeLearningRate() => BaseLearningRate * _factor(LastEpoch);
}

/// <summary>
/// Linear warmup from 0 followed by cosine decay to <c>etaMin</c> (no single PyTorch equivalent;
/// with etaMin = 0 it equals Hugging Face's <c>get_cosine_schedule_with_warmup</c> up to the end):
/// <code>
/// t &lt; W:      lr = base·t / W
/// W ≤ t ≤ T:  lr = etaMin + (base − etaMin)·(1 + cos(π·(t − W)/(T − W))) / 2
/// t &gt; T:      lr = etaMin
/// </code>
/// with t = <see cref="LearningRateScheduler.LastEpoch"/>, W = warmupSteps, T = totalSteps. The first
/// optimizer step therefore runs at lr 0 when W &gt; 0 (as in Hugging Face), and the rate peaks at
/// t = W.
/// </summary>
public sealed class WarmupCosine : LearningRateScheduler
{
    /// <summary>Creates the scheduler and performs the initial step.</summary>
    public WarmupCosine(Optimizer optimizer, int warmupSteps, int totalSteps, double etaMin = 0) : base(optimizer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        if (totalSteps <= warmupSteps) throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "totalSteps must exceed warmupSteps.");
        if (!(etaMin >= 0)) throw new ArgumentOutOfRangeException(nameof(etaMin), etaMin, "etaMin must be non-negative.");
        (WarmupSteps, TotalSteps, EtaMin) = (warmupSteps, totalSteps, etaMin);
        InitialStep();
    }

    /// <summary>Length of the linear warmup.</summary>
    public int WarmupSteps { get; }

    /// <summary>Step at which the cosine reaches <see cref="EtaMin"/>.</summary>
    public int TotalSteps { get; }

    /// <summary>Final learning rate.</summary>
    public double EtaMin { get; }

    /// <inheritdoc/>
    protected override double ComputeLearningRate()
    {
        int t = LastEpoch;
        if (t < WarmupSteps) return BaseLearningRate * t / WarmupSteps;
        if (t > TotalSteps) return EtaMin;
        double progress = (double)(t - WarmupSteps) / (TotalSteps - WarmupSteps);
        return EtaMin + (BaseLearningRate - EtaMin) * (1 + Math.Cos(Math.PI * progress)) / 2;
    }
}
