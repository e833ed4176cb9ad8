using System.Diagnostics;
using MLNetDeep.Data;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Optim;

namespace MLNetDeep.Estimators.Text;

/// <summary>
/// Trains an <see cref="EmbeddingBagClassifier"/> (mean token embedding → MLP) with Adam and cross-entropy
/// on a Key label and a Vector&lt;Key&gt; token column. Training streams the data once per epoch through a
/// seeded shuffle pool, so the corpus need not fit in memory.
/// </summary>
public sealed class TextClassificationTrainer : TrainerBase<TextClassifierOptions, TextClassificationTransformer>
{

    /// <summary>Creates the trainer (use <c>ctx.Text.Trainers.TextClassifier</c>).</summary>
    public TextClassificationTrainer(DeepContext context, TextClassifierOptions options) : base(context, options, o => o.Validate())
    {
    }

    /// <inheritdoc/>
    private protected override DataViewSchema OutputSchema(DataViewSchema inputSchema)
    {
        var (label, _) = CheckInput(inputSchema, Options);
        return TokenColumns.ScoredSchema(inputSchema, Options.TokensColumnName, Options.ScoreColumnName, Options.PredictedLabelColumnName,
            (int)((KeyDataViewType)label.Type).Count, label.KeyValues, TextClassificationTransformer.ComponentName);
    }

    internal static (DataViewSchema.Column Label, DataViewSchema.Column Tokens) CheckInput(DataViewSchema schema, TextClassifierOptions o) =>
        (TokenColumns.Label(schema, o.LabelColumnName, "TextClassifier"), TokenColumns.Tokens(schema, o.TokensColumnName, "TextClassifier"));

    /// <inheritdoc/>
    private protected override TextClassificationTransformer Train(IDataView input) => Fit(input, null);

    /// <summary>Trains, reporting the validation loss at each epoch end when <paramref name="validationData"/> is given.</summary>
    public TextClassificationTransformer Fit(IDataView input, IDataView? validationData)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = Options;
        var (label, tokens) = CheckInput(input.Schema, o);
        int classes = (int)((KeyDataViewType)label.Type).Count;
        int vocab = (int)((KeyDataViewType)((VectorDataViewType)tokens.Type).ItemType).Count;
        if (classes < 2) throw new SchemaMismatchException(label.Name, $"TextClassifier: label column '{label.Name}' has {classes} class(es); at least 2 are needed.");
        if (vocab < 1) throw new SchemaMismatchException(tokens.Name, $"TextClassifier: tokens column '{tokens.Name}' has an empty vocabulary.");
        int seed = o.Seed ?? Context.NextSeed();
        var net = new EmbeddingBagClassifier(vocab, o.EmbeddingDimension, o.HiddenLayerSize, classes, new Generator((ulong)seed));
        var optimizer = new Adam(net.Parameters(), o.LearningRate);
        var shuffled = Context.Data.ShuffleRows(input, seed, o.ShufflePoolSize);
        var clock = Stopwatch.StartNew();
        long step = 0;
        for (int epoch = 1; epoch <= o.NumberOfEpochs; epoch++)
        {
            double lossSum = 0;
            long rows = 0, batches = 0;
            var epochClock = Stopwatch.StartNew();
            foreach (var (batch, targets) in Batches(shuffled, label, tokens, o.BatchSize))
            {
                o.CancellationToken.ThrowIfCancellationRequested();
                optimizer.ZeroGrad();
                var loss = F.CrossEntropy(net.Forward(batch), targets);
                loss.Backward();
                optimizer.Step();
                lossSum += loss.Item();
                rows += batch.Size;
                batches++;
                step++;
                if (o.ProgressInterval > 0 && step % o.ProgressInterval == 0)
                    o.Progress?.Report(new TrainingProgress(epoch, o.NumberOfEpochs, step, lossSum / batches, null, rows / epochClock.Elapsed.TotalSeconds, clock.Elapsed, false));
            }
            if (batches == 0) throw new InvalidOperationException($"TextClassifier: no training row has a label in '{label.Name}' (all keys missing or no rows).");
            double? validation = validationData is null ? null : Evaluate(net, validationData, o);
            var report = new TrainingProgress(epoch, o.NumberOfEpochs, step, lossSum / batches, validation, rows / epochClock.Elapsed.TotalSeconds, clock.Elapsed, true);
            o.Progress?.Report(report);
            Context.WriteLog("TextClassifier", FormattableString.Invariant(
                $"epoch {epoch}/{o.NumberOfEpochs}: train loss {report.TrainLoss:F4}{(validation is double v ? FormattableString.Invariant($", validation loss {v:F4}") : "")}, {report.RowsPerSecond:F0} rows/s"));
        }
        net.Eval();
        return new TextClassificationTransformer(net, o.TokensColumnName, o.ScoreColumnName, o.PredictedLabelColumnName, label.KeyValues);
    }

    private static double Evaluate(EmbeddingBagClassifier net, IDataView data, TextClassifierOptions o)
    {
        var (label, tokens) = CheckInput(data.Schema, o);
        using var _ = Tensor.NoGrad();
        double sum = 0;
        long n = 0;
        foreach (var (batch, targets) in Batches(data, label, tokens, 256))
        {
            sum += F.CrossEntropy(net.Forward(batch), targets).Item() * batch.Size;
            n += batch.Size;
        }
        return n == 0 ? double.NaN : sum / n;
    }

    /// <summary>Streams (batch, zero-based class targets) pairs; rows with a missing label are skipped.</summary>
    internal static IEnumerable<(TokenBatch Batch, Tensor Targets)> Batches(IDataView data, DataViewSchema.Column label, DataViewSchema.Column tokens, int batchSize)
    {
        var rows = new List<uint[]>(batchSize);
        var targets = new List<long>(batchSize);
        using var cursor = data.GetRowCursor([label, tokens]);
        while (true)
        {
            bool more = cursor.MoveNext();
            if (more)
            {
                uint y = cursor.GetValue<uint>(label);
                if (y == 0) continue;
                rows.Add(cursor.GetValue<uint[]>(tokens));
                targets.Add(y - 1);
            }
            if (rows.Count == batchSize || (!more && rows.Count > 0))
            {
                yield return (TokenBatch.FromKeys(rows), Tensor.FromArray(targets.ToArray()));
                rows.Clear();
                targets.Clear();
            }
            if (!more) yield break;
        }
    }
}
