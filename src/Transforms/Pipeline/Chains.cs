using MLNetDeep.Data;
using MLNetDeep.Persistence;

namespace MLNetDeep;

/// <summary>Transformers applied one after the other (the result of fitting an <see cref="EstimatorChain{TLast}"/>).</summary>
/// <typeparam name="TLast">Type of the last transformer.</typeparam>
public sealed class TransformerChain<TLast> : ITransformer where TLast : class, ITransformer
{
    /// <summary>Creates a chain.</summary>
    public TransformerChain(IReadOnlyList<ITransformer> transformers)
    {
        ArgumentNullException.ThrowIfNull(transformers);
        Transformers = [.. transformers];
        if (Transformers.Count > 0 && Transformers[^1] is not TLast)
            throw new ArgumentException($"The last transformer is {Transformers[^1].GetType().Name}, not {typeof(TLast).Name}.", nameof(transformers));
    }

    /// <summary>The transformers, in order.</summary>
    public IReadOnlyList<ITransformer> Transformers { get; }

    /// <summary>The last transformer (e.g. the trained model), or null for an empty chain.</summary>
    public TLast? LastTransformer => Transformers.Count == 0 ? null : (TLast)Transformers[^1];

    /// <summary>A chain with <paramref name="transformer"/> added at the end.</summary>
    public TransformerChain<TNew> Append<TNew>(TNew transformer) where TNew : class, ITransformer => new([.. Transformers, transformer]);

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        foreach (var t in Transformers) inputSchema = t.GetOutputSchema(inputSchema);
        return inputSchema;
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        GetOutputSchema(input.Schema);
        foreach (var t in Transformers) input = t.Transform(input);
        return input;
    }

    /// <summary>Saves the chain as component <c>TransformerChain</c> whose children are the transformers.</summary>
    public void Save(ModelSaveContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.SetComponent(ComponentName, 1);
        foreach (var t in Transformers) context.AddChild(t);
    }

    /// <summary>The registry name of saved chains.</summary>
    public const string ComponentName = "TransformerChain";
}

/// <summary>Estimators fitted one after the other, each on the output of the transformers fitted before it.</summary>
/// <typeparam name="TLast">Type of the transformer the last estimator produces.</typeparam>
public sealed class EstimatorChain<TLast> : IEstimator<TransformerChain<TLast>> where TLast : class, ITransformer
{
    private readonly object[] _estimators; // each an IEstimator<ITransformer>

    internal EstimatorChain(object[] estimators) => _estimators = estimators;

    /// <summary>An empty chain.</summary>
    public EstimatorChain() : this([]) { }

    /// <summary>The estimators, in order.</summary>
    public IReadOnlyList<IEstimator<ITransformer>> Estimators => _estimators.Cast<IEstimator<ITransformer>>().ToList();

    /// <summary>A chain with <paramref name="estimator"/> added at the end.</summary>
    public EstimatorChain<TNew> Append<TNew>(IEstimator<TNew> estimator) where TNew : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(estimator);
        return new EstimatorChain<TNew>([.. _estimators, estimator]);
    }

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        foreach (var e in Estimators) inputSchema = e.GetOutputSchema(inputSchema);
        return inputSchema;
    }

    /// <inheritdoc/>
    public TransformerChain<TLast> Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema); // fail fast, before any training
        var fitted = new List<ITransformer>();
        foreach (var e in Estimators)
        {
            var t = e.Fit(input);
            fitted.Add(t);
            input = t.Transform(input);
        }
        return new TransformerChain<TLast>(fitted);
    }
}

/// <summary><c>Append</c> on any estimator, as in ML.NET.</summary>
public static class EstimatorExtensions
{
    /// <summary>Starts a chain: <paramref name="start"/> then <paramref name="next"/>.</summary>
    public static EstimatorChain<TNew> Append<TNew>(this IEstimator<ITransformer> start, IEstimator<TNew> next) where TNew : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(start);
        return new EstimatorChain<ITransformer>([start]).Append(next);
    }
}

