namespace MLNetDeep.Tensors.Nn;

/// <summary>
/// Shared part of <see cref="BatchNorm1d"/> and <see cref="BatchNorm2d"/> (PyTorch's _BatchNorm): parameters
/// "weight" (γ, ones) and "bias" (β, zeros) when affine; buffers "running_mean" (zeros), "running_var" (ones)
/// and "num_batches_tracked" (int64) when tracking running statistics. Training mode normalizes with the
/// batch statistics (biased variance) and updates the running ones (unbiased variance) with
/// <see cref="Momentum"/>, or with a cumulative average when the momentum is null; eval mode uses the running statistics.
/// </summary>
public abstract class BatchNormBase : Module<Tensor, Tensor>
{
    /// <summary>Number of channels C.</summary>
    public int NumFeatures { get; }

    /// <summary>Added to the variance for stability.</summary>
    public double Eps { get; }

    /// <summary>Weight of the new batch in the running statistics; null for a cumulative moving average.</summary>
    public double? Momentum { get; }

    /// <summary>γ [C] (parameter "weight"), or null when not affine.</summary>
    public Tensor? Weight { get; }

    /// <summary>β [C] (parameter "bias"), or null when not affine.</summary>
    public Tensor? Bias { get; }

    /// <summary>Running mean [C] (buffer "running_mean"), or null when not tracking.</summary>
    public Tensor? RunningMean { get; }

    /// <summary>Running variance [C] (buffer "running_var"), or null when not tracking.</summary>
    public Tensor? RunningVar { get; }

    /// <summary>Number of training batches seen (int64 scalar buffer "num_batches_tracked"), or null when not tracking.</summary>
    public Tensor? NumBatchesTracked { get; }

    /// <summary>Creates the layer.</summary>
    /// <param name="numFeatures">Channels C.</param>
    /// <param name="eps">Variance epsilon.</param>
    /// <param name="momentum">Running-statistics momentum (null: cumulative average).</param>
    /// <param name="affine">Learn γ and β.</param>
    /// <param name="trackRunningStats">Keep running statistics (else batch statistics are used in eval too).</param>
    /// <param name="dtype">Parameter and buffer dtype.</param>
    protected BatchNormBase(int numFeatures, double eps, double? momentum, bool affine, bool trackRunningStats, DType dtype)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numFeatures, 1);
        if (dtype == DType.Int64) throw new ArgumentException("BatchNorm parameters must be floating-point.", nameof(dtype));
        (NumFeatures, Eps, Momentum) = (numFeatures, eps, momentum);
        if (affine)
        {
            Weight = RegisterParameter("weight", Tensor.Ones([numFeatures], dtype));
            Bias = RegisterParameter("bias", Tensor.Zeros([numFeatures], dtype));
        }
        if (trackRunningStats)
        {
            RunningMean = RegisterBuffer("running_mean", Tensor.Zeros([numFeatures], dtype));
            RunningVar = RegisterBuffer("running_var", Tensor.Ones([numFeatures], dtype));
            NumBatchesTracked = RegisterBuffer("num_batches_tracked", Tensor.Scalar(0, DType.Int64));
        }
    }

    /// <summary>Throws when the input's rank is not one this layer accepts.</summary>
    protected abstract void CheckInputRank(Tensor input);

    /// <summary>Normalizes [N, C, …] per channel.</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckInputRank(input);
        if (input.Size(1) != NumFeatures)
            throw new ArgumentException($"{GetType().Name} expected {NumFeatures} channels in dim 1, got input {ShapeUtil.Format(input.Shape.ToArray())}.", nameof(input));
        double factor = Momentum ?? 0;
        if (IsTraining && NumBatchesTracked != null)
        {
            var counter = NumBatchesTracked.Arr<long>();
            counter[NumBatchesTracked.Offset]++;
            if (Momentum == null) factor = 1.0 / counter[NumBatchesTracked.Offset];
        }
        bool useBatchStats = IsTraining || RunningMean == null;
        return F.BatchNorm(input, RunningMean, RunningVar, Weight, Bias, useBatchStats, factor, Eps);
    }

    /// <inheritdoc/>
    protected override string Describe() => $"{GetType().Name}({NumFeatures}, eps={Eps}, momentum={Momentum?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "None"}, affine={Weight is not null}, track_running_stats={RunningMean is not null})";
}
