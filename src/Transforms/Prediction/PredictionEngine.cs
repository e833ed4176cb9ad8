using MLNetDeep.Data;

namespace MLNetDeep.Prediction;

/// <summary>
/// Scores one example at a time through a fitted model. It keeps no per-call state (each call builds its
/// own one-row view and cursor, and transformers are immutable), so one engine can serve many threads
/// concurrently. For throughput on many rows, use <see cref="ITransformer.Transform"/> on a view instead.
/// </summary>
/// <typeparam name="TSrc">Input row type.</typeparam>
/// <typeparam name="TDst">Output row type.</typeparam>
public sealed class PredictionEngine<TSrc, TDst> where TSrc : class where TDst : class, new()
{
    private readonly ITransformer _model;
    private readonly DataViewSchema _outputSchema;
    private readonly DataViewExtensions.Binding[] _bindings;

    /// <summary>Creates the engine; checks once that <typeparamref name="TSrc"/> fits the model and <typeparamref name="TDst"/> its outputs.</summary>
    /// <exception cref="SchemaMismatchException">A column is missing or has the wrong type.</exception>
    public PredictionEngine(ITransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        var inputSchema = new EnumerableDataView<TSrc>([]).Schema;
        _outputSchema = model.GetOutputSchema(inputSchema);
        _bindings = DataViewExtensions.Bind<TDst>(_outputSchema);
    }

    /// <summary>The schema of the model's output for <typeparamref name="TSrc"/> rows.</summary>
    public DataViewSchema OutputSchema => _outputSchema;

    /// <summary>Scores one example.</summary>
    public TDst Predict(TSrc example)
    {
        ArgumentNullException.ThrowIfNull(example);
        var view = _model.Transform(new EnumerableDataView<TSrc>([example]));
        using var cursor = view.GetRowCursor(_bindings.Select(b => b.Column));
        if (!cursor.MoveNext()) throw new InvalidOperationException("The model produced no row for the example.");
        return DataViewExtensions.Read<TDst>(cursor, _bindings);
    }

    /// <summary>Scores many examples as one batch (one pass through the model, batched where the model batches).</summary>
    public IReadOnlyList<TDst> PredictBatch(IEnumerable<TSrc> examples)
    {
        ArgumentNullException.ThrowIfNull(examples);
        var view = _model.Transform(new EnumerableDataView<TSrc>(examples));
        var results = new List<TDst>();
        using var cursor = view.GetRowCursor(_bindings.Select(b => b.Column));
        while (cursor.MoveNext()) results.Add(DataViewExtensions.Read<TDst>(cursor, _bindings));
        return results;
    }
}
