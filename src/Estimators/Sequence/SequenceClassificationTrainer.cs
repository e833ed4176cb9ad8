using MLNetDeep.Data;
using MLNetDeep.Estimators.Text;
using MLNetDeep.Tensors;

namespace MLNetDeep.Estimators.Sequence;

/// <summary>
/// Trains a <see cref="SequenceNetwork"/> classifier (embedding → RNN/LSTM/GRU → pooling → Linear) with
/// Adam and (class-weighted) cross-entropy on a Key label and a Vector&lt;Key&gt; token column. The
/// examples are read into memory once; each epoch visits them in a seeded random order.
/// </summary>
public sealed class SequenceClassificationTrainer : TrainerBase<SequenceClassifierOptions, SequenceClassificationTransformer>
{
    private const string Component = SequenceClassificationTransformer.ComponentName;

    /// <summary>Creates the trainer (use <c>ctx.Text.Trainers.SequenceClassifier</c>).</summary>
    public SequenceClassificationTrainer(DeepContext context, SequenceClassifierOptions options) : base(context, options, o => o.Validate())
    {
    }

    /// <inheritdoc/>
    private protected override DataViewSchema OutputSchema(DataViewSchema inputSchema)
    {
        var (label, _) = CheckInput(inputSchema);
        return TokenColumns.ScoredSchema(inputSchema, Options.TokensColumnName, Options.ScoreColumnName, Options.PredictedLabelColumnName,
            (int)((KeyDataViewType)label.Type).Count, label.KeyValues, Component);
    }

    private (DataViewSchema.Column Label, DataViewSchema.Column Tokens) CheckInput(DataViewSchema schema) =>
        (TokenColumns.Label(schema, Options.LabelColumnName, Component), TokenColumns.Tokens(schema, Options.TokensColumnName, Component));

    /// <inheritdoc/>
    private protected override SequenceClassificationTransformer Train(IDataView input) => Fit(input, null);

    /// <summary>Trains, reporting the validation loss at each epoch end when <paramref name="validationData"/> is given.</summary>
    public SequenceClassificationTransformer Fit(IDataView input, IDataView? validationData)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = Options;
        var (label, tokens) = CheckInput(input.Schema);
        int classes = (int)((KeyDataViewType)label.Type).Count;
        int vocab = TokenColumns.KeyCount(tokens);
        if (classes < 2) throw new SchemaMismatchException(label.Name, $"{Component}: label column '{label.Name}' has {classes} class(es); at least 2 are needed.");
        if (vocab < 1) throw new SchemaMismatchException(tokens.Name, $"{Component}: tokens column '{tokens.Name}' has an empty vocabulary.");
        if (o.ClassWeights is not null && o.ClassWeights.Count != classes)
            throw new ArgumentException($"{Component}: ClassWeights has {o.ClassWeights.Count} entries but label '{label.Name}' has {classes} classes.", nameof(o.ClassWeights));
        int seed = o.Seed ?? Context.NextSeed();
        var net = o.CreateNetwork(vocab, classes, seed);
        if (o.InitialEmbeddings is not null)
        {
            var names = tokens.KeyValues ?? throw new SchemaMismatchException(tokens.Name, $"{Component}: InitialEmbeddings needs the key values (words) of '{tokens.Name}'.");
            int found = o.InitialEmbeddings.CopyInto(net.Embedding.Weight, names);
            Context.WriteLog(Component, $"initial embeddings: {found} of {names.Count} words found");
        }
        var train = Read(input, label, tokens);
        var valid = validationData is null ? null : Read(validationData, CheckInput(validationData.Schema).Label, CheckInput(validationData.Schema).Tokens);
        var weights = o.ClassWeights is null ? null : Tensor.FromArray(o.ClassWeights.ToArray(), classes);
        SequenceTrainingLoop.Run(Context, Component, net, o, train, seed, weights,
            () => valid is null ? null : SequenceTrainingLoop.Loss(net, valid, o.TokensColumnName));
        return new SequenceClassificationTransformer(net, o.TokensColumnName, o.ScoreColumnName, o.PredictedLabelColumnName, label.KeyValues);
    }

    /// <summary>The labelled rows (missing labels skipped); empty token lists are an error naming the column.</summary>
    private static List<SequenceExample> Read(IDataView data, DataViewSchema.Column label, DataViewSchema.Column tokens)
    {
        var examples = new List<SequenceExample>();
        using var cursor = data.GetRowCursor([label, tokens]);
        long row = 0;
        while (cursor.MoveNext())
        {
            row++;
            uint y = cursor.GetValue<uint>(label);
            if (y == 0) continue;
            var t = cursor.GetValue<uint[]>(tokens);
            if (t.Length == 0) throw new ArgumentException($"{Component}: row {row} of column '{tokens.Name}' has no tokens; sequence models need at least one.", nameof(data));
            examples.Add(new SequenceExample(t, y - 1));
        }
        return examples;
    }
}
