using System.Diagnostics;
using MLNetDeep.Data;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;
using MLNetDeep.Tensors.Nn.Pruning;
using MLNetDeep.Tensors.Optim;

namespace MLNetDeep.Estimators.Compression;

/// <summary>One prune → fine-tune round of <see cref="PruneEstimator"/>.</summary>
/// <param name="Step">Round number, from 1.</param>
/// <param name="TargetSparsity">The schedule's target for this round.</param>
/// <param name="Sparsity">Zeros over prunable weights after the round's fine-tuning.</param>
/// <param name="TrainLoss">Mean cross-entropy of the round's last fine-tune epoch (NaN without fine-tuning).</param>
public sealed record PruningStepResult(int Step, double TargetSparsity, double Sparsity, double TrainLoss);

/// <summary>
/// Magnitude pruning of a fitted <see cref="INetworkClassifier"/> with an iterative schedule: for each target of
/// <see cref="PruningSchedule.Cubic"/> (0 → <see cref="PruneOptions.Sparsity"/> in <see cref="PruneOptions.PruningSteps"/>
/// rounds) it prunes a copy of the network, then fine-tunes it for <see cref="PruneOptions.NumberOfEpochs"/> epochs on the
/// labelled data (cross-entropy, Adam or SGD), re-applying the masks after every optimizer step so pruned weights stay zero.
/// <c>Fit</c> returns <c>model.WithNetwork(pruned)</c>: the same transformer, architecture and save format, with
/// zeros in the weights; the caller's model is not modified.
/// </summary>
public sealed class PruneEstimator : TrainerBase<PruneOptions, INetworkClassifier>
{
    private readonly INetworkClassifier _model;

    /// <summary>Creates the estimator (use <c>ctx.Transforms.Prune</c>).</summary>
    public PruneEstimator(DeepContext context, INetworkClassifier model, PruneOptions options) : base(context, options, o => o.Validate()) =>
        _model = model ?? throw new ArgumentNullException(nameof(model));

    /// <summary>Sparsity of the network returned by the last <c>Fit</c> (null before).</summary>
    public SparsityReport? Report { get; private set; }

    /// <summary>The rounds of the last fit.</summary>
    public IReadOnlyList<PruningStepResult> Steps { get; private set; } = [];

    /// <inheritdoc/>
    private protected override DataViewSchema OutputSchema(DataViewSchema inputSchema)
    {
        CheckLabel(inputSchema);
        return _model.GetOutputSchema(inputSchema);
    }

    /// <inheritdoc/>
    private protected override INetworkClassifier Train(IDataView input)
    {
        var o = Options;
        CheckLabel(input.Schema);
        var network = NetworkClassifierCopy.Clone(_model, input.Schema).Network;
        int seed = o.Seed ?? Context.NextSeed();
        Optimizer optimizer = o.Optimizer == FineTuneOptimizer.Sgd
            ? new Sgd(network.Parameters(), o.LearningRate, o.Momentum)
            : new Adam(network.Parameters(), o.LearningRate);
        var masks = new PruningMasks();
        var steps = new List<PruningStepResult>();
        var targets = PruningSchedule.Cubic(0, o.Sparsity, o.PruningSteps);
        int totalEpochs = o.PruningSteps * o.NumberOfEpochs, epoch = 0;
        var clock = Stopwatch.StartNew();
        long step = 0;
        for (int round = 0; round < targets.Count; round++)
        {
            o.CancellationToken.ThrowIfCancellationRequested();
            masks.Intersect(o.Method == PruningMethod.Structured
                ? MagnitudePruner.Structured(network, targets[round], o.NormOrder)
                : MagnitudePruner.Unstructured(network, targets[round], o.Scope));
            masks.Apply();
            double loss = double.NaN;
            for (int e = 0; e < o.NumberOfEpochs; e++)
            {
                epoch++;
                var shuffled = Context.Data.ShuffleRows(input, seed + epoch, o.ShufflePoolSize);
                loss = FineTuneEpoch(network, optimizer, masks, shuffled, epoch, totalEpochs, ref step, clock);
            }
            double sparsity = SparsityReport.Of(network).Prunable.Sparsity;
            steps.Add(new PruningStepResult(round + 1, targets[round], sparsity, loss));
            Context.WriteLog("Prune", FormattableString.Invariant($"round {round + 1}/{targets.Count}: target {targets[round] * 100:F1}%, sparsity {sparsity * 100:F1}%, loss {loss:F4}"));
        }
        network.Eval();
        Steps = steps;
        Report = SparsityReport.Of(network);
        return _model.WithNetwork(network);
    }

    private double FineTuneEpoch(Module<Tensor, Tensor> network, Optimizer optimizer, PruningMasks masks, IDataView data, int epoch, int totalEpochs, ref long step, Stopwatch clock)
    {
        var o = Options;
        network.Train();
        double lossSum = 0;
        long rows = 0, batches = 0;
        var epochClock = Stopwatch.StartNew();
        foreach (var (inputs, labels) in _model.ReadBatches(data, o.BatchSize, o.LabelColumnName))
        {
            o.CancellationToken.ThrowIfCancellationRequested();
            optimizer.ZeroGrad();
            var loss = F.CrossEntropy(network.Forward(inputs), labels, ignoreIndex: -1);
            loss.Backward();
            optimizer.Step();
            masks.Apply();
            lossSum += loss.Item();
            rows += labels.Numel;
            batches++;
            step++;
            if (o.ProgressInterval > 0 && step % o.ProgressInterval == 0)
                o.Progress?.Report(new TrainingProgress(epoch, totalEpochs, step, lossSum / batches, null, rows / epochClock.Elapsed.TotalSeconds, clock.Elapsed, false));
        }
        network.Eval();
        if (batches == 0) throw new InvalidOperationException("Prune: the fine-tuning data has no rows.");
        o.Progress?.Report(new TrainingProgress(epoch, totalEpochs, step, lossSum / batches, null, rows / epochClock.Elapsed.TotalSeconds, clock.Elapsed, true));
        return lossSum / batches;
    }

    private void CheckLabel(DataViewSchema schema)
    {
        if (schema.GetColumnOrNull(Options.LabelColumnName) is null)
            throw new SchemaMismatchException(Options.LabelColumnName, $"Prune: label column '{Options.LabelColumnName}' not found; the data has {schema.Describe()}.");
    }
}
