using MLNetDeep.Data;
using MLNetDeep.Estimators.Text;

namespace MLNetDeep.Estimators.Sequence;

/// <summary>
/// Trains a next-word language model: every word of every sentence (a Vector&lt;Key&gt; row) with at
/// least one word before it becomes an example whose input is the previous
/// <see cref="NextWordPredictorOptions.ContextSize"/> words; the network (embedding → LSTM/GRU → last
/// state → Linear over the vocabulary) is trained with Adam and cross-entropy.
/// </summary>
public sealed class NextWordPredictionTrainer : TrainerBase<NextWordPredictorOptions, NextWordPredictionTransformer>
{
    private const string Component = NextWordPredictionTransformer.ComponentName;

    /// <summary>Creates the trainer (use <c>ctx.Text.Trainers.NextWordPredictor</c>).</summary>
    public NextWordPredictionTrainer(DeepContext context, NextWordPredictorOptions options) : base(context, options, o => o.Validate())
    {
    }

    /// <summary>Receives train and validation metrics after each epoch when Fit is given validation data.</summary>
    public IProgress<NextWordEpochMetrics>? EpochMetrics { get; set; }

    /// <inheritdoc/>
    private protected override DataViewSchema OutputSchema(DataViewSchema inputSchema)
    {
        var tokens = TokensColumn(inputSchema);
        return TokenColumns.ScoredSchema(inputSchema, Options.TokensColumnName, Options.ScoreColumnName, Options.PredictedLabelColumnName,
            TokenColumns.KeyCount(tokens), tokens.KeyValues, Component);
    }

    private DataViewSchema.Column TokensColumn(DataViewSchema schema) => TokenColumns.Tokens(schema, Options.TokensColumnName, Component);

    /// <inheritdoc/>
    private protected override NextWordPredictionTransformer Train(IDataView input) => Fit(input, null);

    /// <summary>Trains, reporting validation loss (and <see cref="EpochMetrics"/>) at each epoch end when <paramref name="validationData"/> is given.</summary>
    public NextWordPredictionTransformer Fit(IDataView input, IDataView? validationData)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = Options;
        var tokens = TokensColumn(input.Schema);
        int vocab = TokenColumns.KeyCount(tokens);
        if (vocab < 2) throw new SchemaMismatchException(tokens.Name, $"{Component}: tokens column '{tokens.Name}' has {vocab} key(s); a language model needs at least 2.");
        int seed = o.Seed ?? Context.NextSeed();
        var net = o.CreateNetwork(vocab, vocab, seed);
        var names = tokens.KeyValues;
        if (o.InitialEmbeddings is not null)
        {
            if (names is null) throw new SchemaMismatchException(tokens.Name, $"{Component}: InitialEmbeddings needs the key values (words) of '{tokens.Name}'.");
            int found = o.InitialEmbeddings.CopyInto(net.Embedding.Weight, names);
            Context.WriteLog(Component, $"initial embeddings: {found} of {names.Count} words found");
        }
        var train = LanguageModelExamples.FromSentences(LanguageModelExamples.Sentences(input, tokens.Name, Component), o.ContextSize);
        List<SequenceExample>? valid = null;
        if (validationData is not null)
        {
            TokensColumn(validationData.Schema);
            valid = LanguageModelExamples.FromSentences(LanguageModelExamples.Sentences(validationData, o.TokensColumnName, Component), o.ContextSize);
        }
        var trainSample = train.Count <= 5000 ? train : new Random(seed).GetItems(train.ToArray(), 5000).ToList();
        SequenceTrainingLoop.Run(Context, Component, net, o, train, seed, null,
            () => valid is null ? null : SequenceTrainingLoop.Loss(net, valid, o.TokensColumnName),
            epoch =>
            {
                if (valid is not null && EpochMetrics is not null)
                    EpochMetrics.Report(new NextWordEpochMetrics(epoch, LanguageModelMetrics.Of(net, trainSample, o.TokensColumnName), LanguageModelMetrics.Of(net, valid, o.TokensColumnName)));
            });
        return new NextWordPredictionTransformer(net, o.TokensColumnName, o.ScoreColumnName, o.PredictedLabelColumnName, names, o.ContextSize);
    }
}
