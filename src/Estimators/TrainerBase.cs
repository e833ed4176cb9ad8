using MLNetDeep.Data;

namespace MLNetDeep.Estimators;

/// <summary>
/// The skeleton shared by this assembly's trainers (text classifier, sequence classifier, next-word
/// predictor, Seq2Seq translator, word2vec): it takes the <see cref="DeepContext"/> (seeds, log) and the
/// options, validated once at construction so a bad option fails before any data is read, and checks the
/// arguments of <see cref="GetOutputSchema"/> and <see cref="Fit"/> before handing them to the trainer.
/// </summary>
/// <typeparam name="TOptions">The trainer's options class.</typeparam>
/// <typeparam name="TTransformer">The fitted transformer.</typeparam>
public abstract class TrainerBase<TOptions, TTransformer> : IEstimator<TTransformer>
    where TOptions : class
    where TTransformer : ITransformer
{
    /// <summary>Checks the arguments and validates <paramref name="options"/> with <paramref name="validate"/>.</summary>
    private protected TrainerBase(DeepContext context, TOptions options, Action<TOptions> validate)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        validate(options);
        Context = context;
        Options = options;
    }

    /// <summary>The context the trainer was created from (seeds when the options give none, log).</summary>
    private protected DeepContext Context { get; }

    /// <summary>The validated options.</summary>
    private protected TOptions Options { get; }

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return OutputSchema(inputSchema);
    }

    /// <inheritdoc/>
    public TTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Train(input);
    }

    /// <summary>The output schema for a non-null input schema; throws <see cref="SchemaMismatchException"/> on a bad column.</summary>
    private protected abstract DataViewSchema OutputSchema(DataViewSchema inputSchema);

    /// <summary>Trains on a non-null <paramref name="input"/>.</summary>
    private protected abstract TTransformer Train(IDataView input);
}
