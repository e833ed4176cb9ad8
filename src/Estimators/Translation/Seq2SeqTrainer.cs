using System.Diagnostics;
using MLNetDeep.Data;
using MLNetDeep.Estimators.Vision;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Optim;

namespace MLNetDeep.Estimators.Translation;

/// <summary>
/// Trains a <see cref="Seq2SeqNetwork"/> on a source and a target text column (pre-tokenized, split on
/// whitespace) with Adam or SGD (optionally scheduled learning rate), per-token cross-entropy, teacher forcing, gradient-norm clipping and
/// length-bucketed batches; reports <see cref="Seq2SeqProgress"/>, honours the cancellation token, and
/// checkpoints every epoch so a cancelled run resumes where the last epoch ended, reproducing an
/// uninterrupted run with the same seed.
/// </summary>
public sealed class Seq2SeqTrainer : TrainerBase<Seq2SeqOptions, Seq2SeqTransformer>
{

    /// <summary>Creates the trainer (use <c>ctx.Translation.Trainers.Seq2Seq</c>).</summary>
    public Seq2SeqTrainer(DeepContext context, Seq2SeqOptions options) : base(context, options, o => o.Validate())
    {
    }

    /// <inheritdoc/>
    private protected override DataViewSchema OutputSchema(DataViewSchema inputSchema)
    {
        CheckText(inputSchema, Options.SourceColumnName, "source");
        CheckText(inputSchema, Options.TargetColumnName, "target");
        return Seq2SeqTransformer.OutputSchema(inputSchema, Options.OutputColumnName, Options.NBest);
    }

    internal static DataViewSchema.Column CheckText(DataViewSchema schema, string name, string role)
    {
        var c = schema.GetColumnOrNull(name)
            ?? throw new SchemaMismatchException(name, $"Seq2Seq: {role} column '{name}' not found; the schema has {schema.Describe()}.");
        if (c.Type is not TextDataViewType) throw new SchemaMismatchException(name, $"Seq2Seq: {role} column '{name}' must be Text, got {c.Type}.");
        return c;
    }

    /// <inheritdoc/>
    private protected override Seq2SeqTransformer Train(IDataView input) => Fit(input, null);

    /// <summary>Trains, reporting validation loss and BLEU at each epoch end when <paramref name="validationData"/> is given.</summary>
    public Seq2SeqTransformer Fit(IDataView input, IDataView? validationData)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = Options;
        var (srcTokens, tgtTokens) = ReadPairs(input, o);
        if (srcTokens.Count == 0) throw new InvalidOperationException($"Seq2Seq: the training data has no rows in '{o.SourceColumnName}'/'{o.TargetColumnName}'.");
        var srcVocab = TranslationVocabulary.Build(o.SharedVocabulary ? srcTokens.Concat(tgtTokens) : srcTokens, o.MinimumCount);
        var tgtVocab = o.SharedVocabulary ? srcVocab : TranslationVocabulary.Build(tgtTokens, o.MinimumCount);
        var sources = srcTokens.Select(t => Truncate(srcVocab.Encode(t), o.MaxTrainingLength)).ToList();
        var targets = tgtTokens.Select(t => Truncate(tgtVocab.Encode(t), o.MaxTrainingLength)).ToList();
        var valid = validationData is null ? default : ReadPairs(validationData, o);

        int seed = o.Seed ?? Context.NextSeed();
        var shape = new Seq2SeqShape(o.Cell, o.NumberOfLayers, o.BidirectionalEncoder, srcVocab.Count, tgtVocab.Count, o.EmbeddingDimension, o.HiddenSize, o.Attention);
        var net = new Seq2SeqNetwork(shape, new Generator((ulong)seed)) { DropoutP = o.Dropout };
        var optimizer = TrainingSetup.CreateOptimizer(o.Optimizer, net.Parameters(), o.LearningRate, o.Momentum);
        var scheduler = TrainingSetup.CreateScheduler(o.Schedule, optimizer, o.NumberOfEpochs);
        var history = new List<Seq2SeqEpoch>();
        Dictionary<string, Tensor>? best = null;
        if (o.CheckpointPath is { } ckpt && File.Exists(ckpt))
        {
            best = Seq2SeqCheckpoint.Load(ckpt, net, optimizer, scheduler, history, seed);
            Context.WriteLog("Seq2Seq", $"resumed from {ckpt} after epoch {history.Count}");
        }
        var clock = Stopwatch.StartNew();
        long step = optimizer.StepCount;
        for (int epoch = history.Count + 1; epoch <= o.NumberOfEpochs && !Stopped(history, o); epoch++)
        {
            optimizer.LearningRate = (scheduler?.LastLearningRate ?? o.LearningRate) * Math.Pow(o.LearningRateDecay, epoch - 1);
            var epochGenerator = new Generator(EpochSeed(seed, epoch));
            net.DropoutGenerator = new Generator(EpochSeed(seed, epoch) ^ 0x9E3779B97F4A7C15UL);
            var forcing = new Generator(EpochSeed(seed, epoch) ^ 0xD1B54A32D192ED03UL);
            net.Train();
            double lossSum = 0;
            long tokens = 0, targetTokens = 0;
            var epochClock = Stopwatch.StartNew();
            foreach (var rows in Seq2SeqBatch.BucketedOrder(sources, targets, o.BatchSize, epochGenerator))
            {
                o.CancellationToken.ThrowIfCancellationRequested();
                var batch = Seq2SeqBatch.Create(rows.Select(i => sources[i]).ToList(), rows.Select(i => targets[i]).ToList());
                optimizer.ZeroGrad();
                var loss = Loss(net, batch, o.TeacherForcingRatio, forcing);
                loss.Backward();
                if (o.GradientClipNorm > 0) GradClip.ClipGradNorm(net.Parameters(), o.GradientClipNorm);
                optimizer.Step();
                long n = rows.Sum(i => targets[i].Length + 1L);
                lossSum += loss.Item() * n;
                targetTokens += n;
                tokens += batch.Tokens;
                step++;
                if (o.ProgressInterval > 0 && step % o.ProgressInterval == 0)
                    o.Progress?.Report(new Seq2SeqProgress(epoch, o.NumberOfEpochs, step, lossSum / targetTokens, null, null, tokens / epochClock.Elapsed.TotalSeconds, clock.Elapsed, false));
            }
            double seconds = epochClock.Elapsed.TotalSeconds;
            if (scheduler is not null)
            {
                optimizer.LearningRate = scheduler.LastLearningRate; // the chainable step schedule reads the undecayed rate
                scheduler.Step();
            }
            net.Eval();
            double? validLoss = null, validBleu = null;
            if (valid.Sources is { Count: > 0 })
            {
                validLoss = ValidationLoss(net, valid.Sources, valid.Targets, srcVocab, tgtVocab, o);
                if (o.ValidationBleu)
                {
                    var hyps = Seq2SeqTransformer.TranslateTokens(net, srcVocab, tgtVocab, valid.Sources, 1, o.LengthPenalty, o.MaxTargetLength, o.BatchSize);
                    validBleu = CorpusBleu.Compute(hyps.Select(h => (IReadOnlyList<string>)h).ToList(), valid.Targets.Select(t => (IReadOnlyList<string>)t).ToList()).BleuPercent;
                }
            }
            var record = new Seq2SeqEpoch(epoch, lossSum / Math.Max(1, targetTokens), validLoss, validBleu, tokens / seconds, seconds);
            history.Add(record);
            if (o.EarlyStoppingPatience > 0 && validLoss is double vl && history.Where(h => h.ValidationLoss is not null).Min(h => h.ValidationLoss!.Value) == vl)
                best = net.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Detach().Contiguous(force: true), StringComparer.Ordinal);
            if (o.CheckpointPath is { } path) Seq2SeqCheckpoint.Save(path, net, optimizer, scheduler, history, best, seed);
            o.Progress?.Report(new Seq2SeqProgress(epoch, o.NumberOfEpochs, step, record.TrainLoss, validLoss, validBleu, record.TokensPerSecond, clock.Elapsed, true));
            Context.WriteLog("Seq2Seq", FormattableString.Invariant(
                $"epoch {epoch}/{o.NumberOfEpochs}: train loss {record.TrainLoss:F4}{(validLoss is double v ? FormattableString.Invariant($", validation loss {v:F4}") : "")}{(validBleu is double b ? FormattableString.Invariant($", validation BLEU {b:F2}") : "")}, {record.TokensPerSecond:F0} tokens/s"));
        }
        if (best is not null) net.LoadStateDict(best, strict: true);
        net.Eval();
        net.DropoutGenerator = null;
        return new Seq2SeqTransformer(net, srcVocab, tgtVocab, o.SourceColumnName, o.OutputColumnName, o.BeamSize, o.LengthPenalty, o.MaxTargetLength, history, o.NBest);
    }

    private static bool Stopped(List<Seq2SeqEpoch> history, Seq2SeqOptions o)
    {
        if (o.EarlyStoppingPatience == 0) return false;
        var losses = history.Select(h => h.ValidationLoss).ToList();
        if (losses.Count == 0 || losses.Any(l => l is null)) return false;
        int bestAt = losses.IndexOf(losses.Min());
        return losses.Count - 1 - bestAt >= o.EarlyStoppingPatience;
    }

    private static ulong EpochSeed(int seed, int epoch) => (ulong)(uint)seed * 0x100000001B3UL + (ulong)epoch * 0x9E3779B1UL;

    private static int[] Truncate(int[] ids, int max) => ids.Length <= max ? ids : ids[..max];

    /// <summary>Mean per-token cross-entropy of a batch (padding ignored).</summary>
    internal static Tensor Loss(Seq2SeqNetwork net, Seq2SeqBatch batch, double teacherForcing, Generator forcing)
    {
        var (memory, state) = net.Encode(batch.Source, batch.SourceLengths);
        var input = batch.TargetInput!;
        int v = net.Shape.TargetVocabulary;
        Tensor logits;
        if (teacherForcing >= 1)
        {
            logits = net.Decode(input, state, memory).Logits;
        }
        else
        {
            int steps = input.Size(0), b = batch.Size;
            var outputs = new List<Tensor>(steps);
            var current = input.Narrow(0, 0, 1);
            for (int t = 0; t < steps; t++)
            {
                var (step, next) = net.Decode(current, state, memory);
                outputs.Add(step);
                state = next;
                if (t + 1 == steps) break;
                if (forcing.NextDouble() < teacherForcing) { current = input.Narrow(0, t + 1, 1); continue; }
                var l = step.Detach().ToArray<float>();
                var predicted = new long[b];
                for (int i = 0; i < b; i++)
                {
                    int bestK = 0;
                    for (int k = 1; k < v; k++) if (l[i * v + k] > l[i * v + bestK]) bestK = k;
                    predicted[i] = bestK;
                }
                current = Tensor.FromArray(predicted, 1, b);
            }
            logits = Tensor.Cat(outputs, 1);
        }
        return F.CrossEntropy(logits.Reshape(-1, v), batch.TargetOutput!.Reshape(-1), ignoreIndex: TranslationVocabulary.Pad);
    }

    private static double ValidationLoss(Seq2SeqNetwork net, List<string[]> sources, List<string[]> targets, TranslationVocabulary srcVocab, TranslationVocabulary tgtVocab, Seq2SeqOptions o)
    {
        using var _ = Tensor.NoGrad();
        double sum = 0;
        long n = 0;
        var none = new Generator(0);
        for (int start = 0; start < sources.Count; start += o.BatchSize)
        {
            int end = Math.Min(sources.Count, start + o.BatchSize);
            var src = sources[start..end].Select(s => Truncate(srcVocab.Encode(s), o.MaxTrainingLength)).ToList();
            var tgt = targets[start..end].Select(s => Truncate(tgtVocab.Encode(s), o.MaxTrainingLength)).ToList();
            long count = tgt.Sum(t => t.Length + 1L);
            sum += Loss(net, Seq2SeqBatch.Create(src, tgt), 1, none).Item() * count;
            n += count;
        }
        return n == 0 ? double.NaN : sum / n;
    }

    /// <summary>Reads the tokenized source/target pairs (rows where either side is missing are skipped).</summary>
    internal static (List<string[]> Sources, List<string[]> Targets) ReadPairs(IDataView data, Seq2SeqOptions o)
    {
        var src = CheckText(data.Schema, o.SourceColumnName, "source");
        var tgt = CheckText(data.Schema, o.TargetColumnName, "target");
        var sources = new List<string[]>();
        var targets = new List<string[]>();
        using var cursor = data.GetRowCursor([src, tgt]);
        while (cursor.MoveNext())
        {
            string? s = cursor.GetValue<string>(src), t = cursor.GetValue<string>(tgt);
            if (s is null || t is null) continue;
            sources.Add(TranslationVocabulary.Tokenize(s));
            targets.Add(TranslationVocabulary.Tokenize(t));
        }
        return (sources, targets);
    }
}
