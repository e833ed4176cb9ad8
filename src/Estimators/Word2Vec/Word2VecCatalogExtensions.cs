using MLNetDeep.Estimators.Word2Vec;

namespace MLNetDeep;

/// <summary>Word2vec training on <c>ctx.Transforms.Text</c>.</summary>
public static class Word2VecCatalogExtensions
{
    /// <summary>
    /// Trains word vectors on a token column (Vector&lt;Text&gt;) and featurizes it: the fitted transformer
    /// adds the pooled (mean) sentence vector as <paramref name="outputColumnName"/> and the per-token vectors
    /// as <paramref name="outputColumnName"/>Tokens. Other settings: gensim's defaults (<see cref="Word2VecOptions.Defaults"/>).
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="outputColumnName">Pooled vector column.</param>
    /// <param name="inputColumnName">Token column (default: the output name).</param>
    /// <param name="architecture">CBOW or skip-gram.</param>
    /// <param name="vectorSize">Vector width.</param>
    /// <param name="numberOfEpochs">Passes over the corpus.</param>
    public static Word2VecEstimator TrainWord2Vec(this TransformsCatalog.TextTransforms catalog, string outputColumnName, string? inputColumnName = null,
        Word2VecArchitecture architecture = Word2VecArchitecture.Cbow, int vectorSize = Word2VecOptions.Defaults.VectorSize,
        int numberOfEpochs = Word2VecOptions.Defaults.NumberOfEpochs) =>
        TrainWord2Vec(catalog, outputColumnName, inputColumnName, new Word2VecOptions { Architecture = architecture, VectorSize = vectorSize, NumberOfEpochs = numberOfEpochs });

    /// <summary>Trains word vectors with full options (the column names given here override those in <paramref name="options"/>).</summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="outputColumnName">Pooled vector column.</param>
    /// <param name="inputColumnName">Token column (default: the output name).</param>
    /// <param name="options">Training and featurization options.</param>
    public static Word2VecEstimator TrainWord2Vec(this TransformsCatalog.TextTransforms catalog, string outputColumnName, string? inputColumnName, Word2VecOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        options.OutputColumnName = outputColumnName;
        options.InputColumnName = inputColumnName ?? outputColumnName;
        return new Word2VecEstimator(catalog.Context, options);
    }
}
