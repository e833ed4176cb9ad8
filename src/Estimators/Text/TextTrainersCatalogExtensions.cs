using MLNetDeep.Estimators.Text;

namespace MLNetDeep;

/// <summary>Text trainers on <c>ctx.Text.Trainers</c>.</summary>
public static class TextTrainersCatalogExtensions
{
    /// <summary>
    /// A text classifier: mean of token embeddings → MLP, trained with Adam and cross-entropy
    /// (defaults from <see cref="TextClassifierOptions.Defaults"/>).
    /// </summary>
    /// <param name="catalog">The text trainers catalog.</param>
    /// <param name="labelColumnName">Key label column.</param>
    /// <param name="tokensColumnName">Vector&lt;Key&gt; token-id column.</param>
    /// <param name="numberOfEpochs">Passes over the data.</param>
    /// <param name="batchSize">Rows per step.</param>
    /// <param name="learningRate">Adam learning rate.</param>
    public static TextClassificationTrainer TextClassifier(this TrainersCatalog catalog, string labelColumnName = "Label", string tokensColumnName = "Tokens",
        int numberOfEpochs = TextClassifierOptions.Defaults.NumberOfEpochs, int batchSize = TextClassifierOptions.Defaults.BatchSize,
        double learningRate = TextClassifierOptions.Defaults.LearningRate) =>
        TextClassifier(catalog, new TextClassifierOptions
        {
            LabelColumnName = labelColumnName,
            TokensColumnName = tokensColumnName,
            NumberOfEpochs = numberOfEpochs,
            BatchSize = batchSize,
            LearningRate = learningRate,
        });

    /// <summary>A text classifier with full options.</summary>
    /// <param name="catalog">The text trainers catalog.</param>
    /// <param name="options">Options.</param>
    public static TextClassificationTrainer TextClassifier(this TrainersCatalog catalog, TextClassifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new TextClassificationTrainer(catalog.Context, options);
    }
}
