using MLNetDeep.Estimators.Sequence;

namespace MLNetDeep;

/// <summary>Recurrent sequence trainers on <c>ctx.Text.Trainers</c>.</summary>
public static class SequenceTrainersCatalogExtensions
{
    /// <summary>A sequence classifier: embedding → GRU → last state → Linear, trained with Adam (other settings: the Options overload).</summary>
    /// <param name="catalog">The text trainers catalog.</param>
    /// <param name="labelColumnName">Key label column.</param>
    /// <param name="tokensColumnName">Vector&lt;Key&gt; token-id column.</param>
    /// <param name="numberOfEpochs">Passes over the data.</param>
    public static SequenceClassificationTrainer SequenceClassifier(this TrainersCatalog catalog, string labelColumnName = "Label", string tokensColumnName = "Tokens", int numberOfEpochs = 5) =>
        SequenceClassifier(catalog, new SequenceClassifierOptions { LabelColumnName = labelColumnName, TokensColumnName = tokensColumnName, NumberOfEpochs = numberOfEpochs });

    /// <summary>A sequence classifier with full options (cell, layers, bidirectional, pooling, dropout, class weights, initial embeddings).</summary>
    /// <param name="catalog">The text trainers catalog.</param>
    /// <param name="options">Options.</param>
    public static SequenceClassificationTrainer SequenceClassifier(this TrainersCatalog catalog, SequenceClassifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new SequenceClassificationTrainer(catalog.Context, options);
    }

    /// <summary>A next-word language model over the previous <paramref name="contextSize"/> words (LSTM, last state → vocabulary).</summary>
    /// <param name="catalog">The text trainers catalog.</param>
    /// <param name="tokensColumnName">Vector&lt;Key&gt; column of sentences.</param>
    /// <param name="contextSize">Previous words seen (0: the whole prefix).</param>
    /// <param name="numberOfEpochs">Passes over the data.</param>
    public static NextWordPredictionTrainer NextWordPredictor(this TrainersCatalog catalog, string tokensColumnName = "Tokens", int contextSize = 5, int numberOfEpochs = 5) =>
        NextWordPredictor(catalog, new NextWordPredictorOptions { TokensColumnName = tokensColumnName, ContextSize = contextSize, NumberOfEpochs = numberOfEpochs });

    /// <summary>A next-word language model with full options.</summary>
    /// <param name="catalog">The text trainers catalog.</param>
    /// <param name="options">Options.</param>
    public static NextWordPredictionTrainer NextWordPredictor(this TrainersCatalog catalog, NextWordPredictorOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new NextWordPredictionTrainer(catalog.Context, options);
    }
}
