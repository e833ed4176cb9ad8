using System.Diagnostics;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Optim;

namespace MLNetDeep.Estimators.Sequence;

/// <summary>One labelled row of a sequence task: key ids and a zero-based target.</summary>
internal readonly record struct SequenceExample(uint[] Tokens, long Target);

/// <summary>
/// The training loop shared by the sequence trainers: seeded shuffling of in-memory examples, Adam,
/// (weighted) cross-entropy, gradient-norm clipping, typed progress, cancellation, a log line per epoch.
/// </summary>
internal static class SequenceTrainingLoop
{
    /// <summary>Trains <paramref name="net"/> in place; <paramref name="validate"/> gives the validation loss after each epoch (or null).</summary>
    public static void Run(DeepContext context, string component, SequenceNetwork net, SequenceModelOptions o, IReadOnlyList<SequenceExample> examples,
        int seed, Tensor? classWeights, Func<double?> validate, Action<int>? epochEnd = null)
    {
        if (examples.Count == 0) throw new InvalidOperationException($"{component}: no training example (no rows, or all labels missing).");
        var parameters = net.Parameters().Where(p => o.TrainEmbeddings || !ReferenceEquals(p, net.Embedding.Weight)).ToList();
        var optimizer = new Adam(parameters, o.LearningRate);
        var random = new Random(seed);
        var order = Enumerable.Range(0, examples.Count).ToArray();
        var clock = Stopwatch.StartNew();
        long step = 0;
        for (int epoch = 1; epoch <= o.NumberOfEpochs; epoch++)
        {
            net.Train();
            random.Shuffle(order);
            double lossSum = 0;
            long batches = 0, rows = 0;
            var epochClock = Stopwatch.StartNew();
            for (int start = 0; start < order.Length; start += o.BatchSize)
            {
                o.CancellationToken.ThrowIfCancellationRequested();
                int n = Math.Min(o.BatchSize, order.Length - start);
                var (batch, targets) = Batch(examples, order.AsSpan(start, n), o.TokensColumnName);
                optimizer.ZeroGrad();
                var loss = F.CrossEntropy(net.Forward(batch), targets, classWeights);
                loss.Backward();
                if (o.GradientClipNorm > 0) GradClip.ClipGradNorm(parameters, o.GradientClipNorm);
                optimizer.Step();
                lossSum += loss.Item();
                batches++;
                rows += n;
                step++;
                if (o.ProgressInterval > 0 && step % o.ProgressInterval == 0)
                    o.Progress?.Report(new TrainingProgress(epoch, o.NumberOfEpochs, step, lossSum / batches, null, rows / epochClock.Elapsed.TotalSeconds, clock.Elapsed, false));
            }
            net.Eval();
            double? validation = validate();
            var report = new TrainingProgress(epoch, o.NumberOfEpochs, step, lossSum / batches, validation, rows / epochClock.Elapsed.TotalSeconds, clock.Elapsed, true);
            o.Progress?.Report(report);
            context.WriteLog(component, FormattableString.Invariant(
                $"epoch {epoch}/{o.NumberOfEpochs}: train loss {report.TrainLoss:F4}{(validation is double v ? FormattableString.Invariant($", validation loss {v:F4}") : "")}, {report.RowsPerSecond:F0} rows/s"));
            epochEnd?.Invoke(epoch);
        }
        net.Eval();
    }

    /// <summary>A batch of the examples at <paramref name="indices"/>.</summary>
    public static (SequenceBatch Batch, Tensor Targets) Batch(IReadOnlyList<SequenceExample> examples, ReadOnlySpan<int> indices, string column)
    {
        var rows = new uint[indices.Length][];
        var targets = new long[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            rows[i] = examples[indices[i]].Tokens;
            targets[i] = examples[indices[i]].Target;
        }
        return (SequenceBatch.FromKeys(rows, column), Tensor.FromArray(targets, indices.Length));
    }

    /// <summary>Probabilities [rows][outputs] of <paramref name="examples"/>, in batches, without gradients.</summary>
    public static IEnumerable<(int Start, float[] Probabilities, int Outputs)> Predict(SequenceNetwork net, IReadOnlyList<SequenceExample> examples, string column, int batchSize = 256)
    {
        var all = Enumerable.Range(0, examples.Count).ToArray();
        for (int start = 0; start < all.Length; start += batchSize)
        {
            int n = Math.Min(batchSize, all.Length - start);
            var (batch, _) = Batch(examples, all.AsSpan(start, n), column);
            float[] p;
            using (Tensor.NoGrad()) p = F.Softmax(net.Forward(batch), 1).ToArray<float>();
            yield return (start, p, net.Outputs);
        }
    }

    /// <summary>Mean cross-entropy (nats) of <paramref name="examples"/>.</summary>
    public static double Loss(SequenceNetwork net, IReadOnlyList<SequenceExample> examples, string column)
    {
        double sum = 0;
        foreach (var (start, p, c) in Predict(net, examples, column))
            for (int i = 0; i < p.Length / c; i++) sum -= Math.Log(Math.Max(p[i * c + (int)examples[start + i].Target], 1e-30f));
        return examples.Count == 0 ? double.NaN : sum / examples.Count;
    }
}
