using MLNetDeep.Data;
using MLNetDeep.Persistence;

namespace MLNetDeep;

/// <summary>
/// A fitted component that maps a view to a view lazily. Transformers are immutable and safe to use from
/// many threads. Every transformer can be saved (<see cref="Save"/>) and is loaded back through the
/// <see cref="ComponentRegistry"/> under the name it writes.
/// </summary>
public interface ITransformer
{
    /// <summary>The schema <see cref="Transform"/> produces for <paramref name="inputSchema"/>, computed without data.</summary>
    /// <exception cref="SchemaMismatchException">An input column is missing or has the wrong type.</exception>
    DataViewSchema GetOutputSchema(DataViewSchema inputSchema);

    /// <summary>Applies the transformer lazily: rows are computed as cursors over the result move.</summary>
    /// <exception cref="SchemaMismatchException">An input column is missing or has the wrong type.</exception>
    IDataView Transform(IDataView input);

    /// <summary>Writes the component name, version, options and tensors to <paramref name="context"/>.</summary>
    void Save(ModelSaveContext context);
}

/// <summary>Learns a <typeparamref name="TTransformer"/> from data.</summary>
/// <typeparam name="TTransformer">The fitted transformer type.</typeparam>
public interface IEstimator<out TTransformer> where TTransformer : ITransformer
{
    /// <summary>Trains on <paramref name="input"/> (streaming through it as many times as the component needs).</summary>
    /// <exception cref="SchemaMismatchException">An input column is missing or has the wrong type.</exception>
    TTransformer Fit(IDataView input);

    /// <summary>
    /// The schema the fitted transformer will produce, computed without data, so a whole pipeline can be
    /// validated before training. Key counts that depend on the data are 0 (unknown) here.
    /// </summary>
    /// <exception cref="SchemaMismatchException">An input column is missing or has the wrong type.</exception>
    DataViewSchema GetOutputSchema(DataViewSchema inputSchema);
}

/// <summary>An estimator with nothing to learn: fitting returns a fixed transformer (after checking the schema).</summary>
/// <typeparam name="TTransformer">The transformer type.</typeparam>
public class TrivialEstimator<TTransformer>(TTransformer transformer) : IEstimator<TTransformer> where TTransformer : ITransformer
{
    /// <summary>The transformer returned by <see cref="Fit"/>.</summary>
    public TTransformer Transformer { get; } = transformer;

    /// <inheritdoc/>
    public TTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Transformer.GetOutputSchema(input.Schema);
        return Transformer;
    }

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Transformer.GetOutputSchema(inputSchema);
}
