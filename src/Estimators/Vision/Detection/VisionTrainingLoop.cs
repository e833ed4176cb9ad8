using System.Diagnostics;
using MLNetDeep.Data;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;
using MLNetDeep.Tensors.Optim;

namespace MLNetDeep.Estimators.Vision.Detection;

/// <summary>
/// The epoch loop the detector and the segmenter share: per epoch, batches from <see cref="DetectionBatchReader"/> in a
/// seeded order (read ahead on a background thread, <see cref="BatchPrefetch"/>), one Adam step each (the learning rate following a per-epoch schedule) on the loss the trainer computes, typed progress every <c>progressInterval</c>
/// steps and at epoch ends, the cancellation token checked every step, and a log line per epoch. The network is left
/// in evaluation mode.
/// </summary>
internal static class VisionTrainingLoop
{
    /// <summary>Batches read ahead of the training step.</summary>
    public const int PrefetchDepth = 2;

    /// <summary>Runs the loop; <paramref name="loss"/> maps a batch to its scalar loss (with the graph to backpropagate).</summary>
    public static void Run(DeepContext context, string component, Module network, DetectionBatchReader reader, IDataView data, int batchSize,
        int epochs, double learningRate, LearningRateSchedule schedule, Random random, int progressInterval, IProgress<TrainingProgress>? progress, CancellationToken token,
        Func<DetectionBatch, Tensor> loss)
    {
        var optimizer = new Adam(network.Parameters(), learningRate);
        var scheduler = TrainingSetup.CreateScheduler(schedule, optimizer, epochs);
        var clock = Stopwatch.StartNew();
        long step = 0;
        network.Train();
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            double lossSum = 0;
            long rows = 0, batches = 0;
            var epochClock = Stopwatch.StartNew();
            // The next batches are read on a background thread; their order comes from a generator of their own, drawn
            // here, so the flips drawn from `random` during the epoch do not race with the shuffle.
            var order = new Random(random.Next());
            foreach (var batch in BatchPrefetch.Run(reader.Read(data, batchSize, order), PrefetchDepth, token))
            {
                token.ThrowIfCancellationRequested();
                optimizer.ZeroGrad();
                var value = loss(batch);
                value.Backward();
                optimizer.Step();
                lossSum += value.Item();
                rows += batch.Images.Size(0);
                batches++;
                step++;
                if (progressInterval > 0 && step % progressInterval == 0)
                    progress?.Report(new TrainingProgress(epoch, epochs, step, lossSum / batches, null, rows / epochClock.Elapsed.TotalSeconds, clock.Elapsed, false));
            }
            if (batches == 0) throw new InvalidOperationException($"{component}: the training data has no rows.");
            var report = new TrainingProgress(epoch, epochs, step, lossSum / batches, null, rows / epochClock.Elapsed.TotalSeconds, clock.Elapsed, true);
            progress?.Report(report);
            context.WriteLog(component, FormattableString.Invariant($"epoch {epoch}/{epochs}: train loss {report.TrainLoss:F4}, {report.RowsPerSecond:F1} images/s"));
            scheduler?.Step();
        }
        network.Eval();
    }
}
