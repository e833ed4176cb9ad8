using System.Globalization;

namespace MLNetDeep.Tensors.Optim;

/// <summary>
/// Base of the learning-rate schedulers, with PyTorch 1.13's protocol: construction captures the
/// optimizer's learning rate as <see cref="BaseLearningRate"/> and performs the initial step (epoch
/// 0, which may already change the rate); then call <see cref="Step"/> once after each
/// <see cref="Optimizer.Step"/>. Each <see cref="Step"/> advances <see cref="LastEpoch"/> and writes
/// the new rate into <see cref="Optimizer.LearningRate"/>.
/// </summary>
/// <remarks>
/// Subclasses compute the rate for <see cref="LastEpoch"/> in <see cref="ComputeLearningRate"/> and
/// must call <see cref="InitialStep"/> at the end of their constructor.
/// To resume training, build the optimizer and scheduler as before, then call
/// <see cref="Optimizer.LoadState"/> and this class's <see cref="LoadState"/>.
/// </remarks>
public abstract class LearningRateScheduler
{
    /// <summary>Attaches to <paramref name="optimizer"/> and captures its learning rate.</summary>
    protected LearningRateScheduler(Optimizer optimizer)
    {
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        BaseLearningRate = optimizer.LearningRate;
        LastEpoch = -1;
    }

    /// <summary>The optimizer whose learning rate is scheduled.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The optimizer's learning rate when the scheduler was created (PyTorch's <c>base_lrs</c>).</summary>
    public double BaseLearningRate { get; private set; }

    /// <summary>Index of the last step: 0 after construction, then incremented by every <see cref="Step"/>.</summary>
    public int LastEpoch { get; private set; }

    /// <summary>The learning rate set by the last step (PyTorch's <c>get_last_lr()</c>).</summary>
    public double LastLearningRate { get; private set; }

    /// <summary>Advances one epoch (or iteration) and sets the optimizer's learning rate.</summary>
    public void Step()
    {
        LastEpoch++;
        double lr = ComputeLearningRate();
        Optimizer.LearningRate = lr;
        LastLearningRate = lr;
    }

    /// <summary>
    /// The learning rate for <see cref="LastEpoch"/>. Closed-form schedules use
    /// <see cref="BaseLearningRate"/>; chainable ones (as PyTorch's) update the optimizer's current rate.
    /// </summary>
    protected abstract double ComputeLearningRate();

    /// <summary>The step to epoch 0 that PyTorch performs on construction; call it last in the subclass constructor.</summary>
    protected void InitialStep()
    {
        if (LastEpoch != -1) throw new InvalidOperationException("InitialStep() was already called.");
        Step();
    }

    /// <summary>The scheduler's position as strings (<c>type</c>, <c>last_epoch</c>, <c>base_lr</c>, <c>last_lr</c>), for checkpoints.</summary>
    public Dictionary<string, string> GetState() => new(StringComparer.Ordinal)
    {
        ["type"] = GetType().Name,
        ["last_epoch"] = LastEpoch.ToString(CultureInfo.InvariantCulture),
        ["base_lr"] = BaseLearningRate.ToString("R", CultureInfo.InvariantCulture),
        ["last_lr"] = LastLearningRate.ToString("R", CultureInfo.InvariantCulture),
    };

    /// <summary>Restores what <see cref="GetState"/> wrote; does not touch the optimizer's learning rate (restore that with <see cref="Optimizer.LoadState"/>).</summary>
    /// <exception cref="ArgumentException">The state is for another scheduler type or a value is missing or malformed.</exception>
    public void LoadState(IReadOnlyDictionary<string, string> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        string Get(string key) => state.TryGetValue(key, out var v) ? v : throw new ArgumentException($"Scheduler state lacks the value '{key}'.", nameof(state));
        double GetDouble(string key) => double.TryParse(Get(key), NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            ? d : throw new ArgumentException($"Scheduler state value '{key}' is not a number.", nameof(state));
        if (Get("type") != GetType().Name)
            throw new ArgumentException($"Scheduler state is for '{Get("type")}' but this scheduler is '{GetType().Name}'.", nameof(state));
        if (!int.TryParse(Get("last_epoch"), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int epoch) || epoch < 0)
            throw new ArgumentException("Scheduler state value 'last_epoch' is not a non-negative integer.", nameof(state));
        double baseLr = GetDouble("base_lr"), lastLr = GetDouble("last_lr");
        (LastEpoch, BaseLearningRate, LastLearningRate) = (epoch, baseLr, lastLr);
    }
}
