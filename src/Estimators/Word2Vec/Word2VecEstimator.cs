using MLNetDeep.Data;

namespace MLNetDeep.Estimators.Word2Vec;

/// <summary>
/// Trains word2vec (CBOW or skip-gram, negative sampling and/or hierarchical softmax) on a Vector&lt;Text&gt;
/// token column and returns a <see cref="Word2VecTransformer"/>. The data is streamed: one pass counts
/// the vocabulary, then each epoch reads it again, so the corpus never has to fit in memory.
/// </summary>
public sealed class Word2VecEstimator : TrainerBase<Word2VecOptions, Word2VecTransformer>
{

    /// <summary>Creates the estimator (use <c>ctx.Transforms.Text.TrainWord2Vec</c>).</summary>
    public Word2VecEstimator(DeepContext context, Word2VecOptions options) : base(context, options, o => o.Validate())
    {
    }

    /// <inheritdoc/>
    private protected override DataViewSchema OutputSchema(DataViewSchema inputSchema)
    {
        var input = Input(inputSchema);
        int pooled = Options.Pooling == Word2VecPooling.MinMeanMax ? 3 * Options.VectorSize : Options.VectorSize;
        return inputSchema.With([
            (Options.OutputColumnName, new VectorDataViewType(NumberDataViewType.Single, pooled), null),
            (Options.ResolvedTokenVectorsColumnName, new VectorDataViewType(NumberDataViewType.Single), null),
        ]);
    }

    private DataViewSchema.Column Input(DataViewSchema schema)
    {
        string name = Options.InputColumnName;
        var input = schema.GetColumnOrNull(name)
            ?? throw new SchemaMismatchException(name, $"Word2Vec: input column '{name}' not found; the schema has {schema.Describe()}.");
        Word2VecTransformer.CheckInput(input);
        return input;
    }

    /// <inheritdoc/>
    private protected override Word2VecTransformer Train(IDataView input)
    {
        var column = Input(input.Schema);
        var o = Options;
        int seed = o.Seed ?? Context.NextSeed();
        var model = Word2VecTraining.Train(() => Sentences(input, column), o, seed, $"column '{column.Name}'", m => Context.WriteLog("Word2Vec", m));
        return new Word2VecTransformer(model, o.InputColumnName, o.OutputColumnName, o.ResolvedTokenVectorsColumnName, o.Pooling, o.UnknownWords);
    }

    private static IEnumerable<string[]> Sentences(IDataView data, DataViewSchema.Column column)
    {
        using var cursor = data.GetRowCursor([column]);
        while (cursor.MoveNext())
        {
            if (cursor.GetValue<string[]>(column) is { Length: > 0 } tokens) yield return tokens;
        }
    }
}
