using System.Diagnostics;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;
using MLNetDeep.Tensors.Optim;

namespace MLNetDeep.Estimators.Vision;

/// <summary>
/// The mini-batch loop shared by the image classifier and the distillation trainer: seeded shuffles, optional
/// augmentation, the chosen optimizer and learning-rate schedule, per-epoch validation with early stopping (the
/// best epoch's weights are restored), typed progress and cancellation. The loss is supplied by the caller.
/// </summary>
internal static class ImageTrainingLoop
{
    /// <summary>A training loss: (augmented input batch, student logits, label indices, example indices in the training data) → scalar.</summary>
    public delegate Tensor Loss(Tensor input, Tensor logits, Tensor labels, int[] indices);

    /// <summary>Trains <paramref name="net"/> in place; leaves it in evaluation mode.</summary>
    public static void Run(Module<Tensor, Tensor> net, ImageData train, ImageData? validation, ImageClassifierOptions o, Generator generator,
        Loss loss, DeepContext context, string component)
    {
        if (train.Count == 0) throw new InvalidOperationException($"{component}: no training row has a label in '{o.LabelColumnName}' (all keys missing or no rows).");
        var optimizer = TrainingSetup.CreateOptimizer(o.Optimizer, net.Parameters(), o.LearningRate, o.Momentum, o.WeightDecay);
        var scheduler = TrainingSetup.CreateScheduler(o.Schedule, optimizer, o.NumberOfEpochs);
        var augmenter = o.Augmentation.IsEnabled ? new ImageAugmenter(o.Augmentation, generator) : null;
        var order = Enumerable.Range(0, train.Count).ToArray();
        var clock = Stopwatch.StartNew();
        long step = 0;
        double bestAccuracy = double.NegativeInfinity;
        int sinceBest = 0;
        OrderedDictionary<string, Tensor>? best = null;
        for (int epoch = 1; epoch <= o.NumberOfEpochs; epoch++)
        {
            net.Train();
            generator.Shuffle(order.AsSpan());
            double lossSum = 0;
            long batches = 0;
            var epochClock = Stopwatch.StartNew();
            for (int start = 0; start < order.Length; start += o.BatchSize)
            {
                o.CancellationToken.ThrowIfCancellationRequested();
                var indices = order.AsSpan(start, Math.Min(o.BatchSize, order.Length - start)).ToArray();
                var (input, labels) = train.Batch(indices, augmenter);
                optimizer.ZeroGrad();
                var value = loss(input, net.Forward(input), labels, indices);
                value.Backward();
                optimizer.Step();
                lossSum += value.Item();
                batches++;
                step++;
                if (o.ProgressInterval > 0 && step % o.ProgressInterval == 0)
                    o.Progress?.Report(new TrainingProgress(epoch, o.NumberOfEpochs, step, lossSum / batches, null, (start + indices.Length) / epochClock.Elapsed.TotalSeconds, clock.Elapsed, false));
            }
            scheduler?.Step();
            double? validationLoss = null, validationAccuracy = null;
            if (validation is not null && validation.Count > 0)
            {
                var (l, a) = ImageEvaluation.LossAndAccuracy(net, validation, 256);
                (validationLoss, validationAccuracy) = (l, a);
            }
            var report = new TrainingProgress(epoch, o.NumberOfEpochs, step, lossSum / batches, validationLoss, train.Count / epochClock.Elapsed.TotalSeconds, clock.Elapsed, true);
            o.Progress?.Report(report);
            context.WriteLog(component, FormattableString.Invariant(
                $"epoch {epoch}/{o.NumberOfEpochs}: train loss {report.TrainLoss:F4}{(validationAccuracy is double va ? FormattableString.Invariant($", validation loss {validationLoss:F4}, accuracy {va:P2}") : "")}, lr {optimizer.LearningRate:G3}, {report.RowsPerSecond:F0} rows/s"));
            if (o.EarlyStoppingPatience > 0 && validationAccuracy is double acc)
            {
                if (acc > bestAccuracy)
                {
                    bestAccuracy = acc;
                    sinceBest = 0;
                    best = CopyState(net);
                }
                else if (++sinceBest >= o.EarlyStoppingPatience)
                {
                    context.WriteLog(component, FormattableString.Invariant($"early stop after epoch {epoch}: no better validation accuracy for {sinceBest} epochs (best {bestAccuracy:P2})"));
                    break;
                }
            }
        }
        if (best is not null) net.LoadStateDict(best, strict: true);
        net.Eval();
    }

    private static OrderedDictionary<string, Tensor> CopyState(Module net)
    {
        var copy = new OrderedDictionary<string, Tensor>();
        foreach (var (name, t) in net.StateDict())
            copy[name] = (t.DType == DType.Int64 ? Tensor.FromArray(t.ToArray<long>(), t.Numel) : Tensor.FromArray(t.ToArray<float>(), t.Numel)).Reshape([.. t.Shape]);
        return copy;
    }
}
