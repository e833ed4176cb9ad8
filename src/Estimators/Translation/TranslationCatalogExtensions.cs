using MLNetDeep.Data;
using MLNetDeep.Estimators.Translation;

namespace MLNetDeep;

/// <summary>Translation trainers on <c>ctx.Translation.Trainers</c> and <c>ctx.Translation.Evaluate</c>.</summary>
public static class TranslationCatalogExtensions
{
    /// <summary>
    /// An RNN encoder–decoder translator with attention (defaults from <see cref="Seq2SeqOptions.Defaults"/>:
    /// GRU 256/256, Luong dot attention, batch 64, Adam 1e-3, gradient clipping 5).
    /// </summary>
    /// <param name="catalog">The translation trainers catalog.</param>
    /// <param name="sourceColumnName">Source text column (pre-tokenized, whitespace-separated).</param>
    /// <param name="targetColumnName">Target text column.</param>
    /// <param name="outputColumnName">Output translation column.</param>
    /// <param name="numberOfEpochs">Passes over the data.</param>
    /// <param name="batchSize">Pairs per step.</param>
    /// <param name="learningRate">Adam learning rate.</param>
    public static Seq2SeqTrainer Seq2Seq(this TrainersCatalog catalog, string sourceColumnName = "Source", string targetColumnName = "Target",
        string outputColumnName = "Translation", int numberOfEpochs = Seq2SeqOptions.Defaults.NumberOfEpochs, int batchSize = Seq2SeqOptions.Defaults.BatchSize,
        double learningRate = Seq2SeqOptions.Defaults.LearningRate) =>
        Seq2Seq(catalog, new Seq2SeqOptions
        {
            SourceColumnName = sourceColumnName,
            TargetColumnName = targetColumnName,
            OutputColumnName = outputColumnName,
            NumberOfEpochs = numberOfEpochs,
            BatchSize = batchSize,
            LearningRate = learningRate,
        });

    /// <summary>An RNN encoder–decoder translator with full options.</summary>
    /// <param name="catalog">The translation trainers catalog.</param>
    /// <param name="options">Options.</param>
    public static Seq2SeqTrainer Seq2Seq(this TrainersCatalog catalog, Seq2SeqOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        if (catalog.Task != "Translation") throw new InvalidOperationException($"Seq2Seq is a Translation trainer; use ctx.Translation.Trainers, not ctx.{catalog.Task}.Trainers.");
        return new Seq2SeqTrainer(catalog.Context, options);
    }

    /// <summary>Corpus BLEU (4-gram, brevity penalty, nltk's corpus_bleu definition) of a translation column against a reference column, both whitespace-tokenized.</summary>
    /// <param name="catalog">The translation catalog.</param>
    /// <param name="data">Scored data (e.g. the output of a fitted translator).</param>
    /// <param name="referenceColumnName">Reference translations.</param>
    /// <param name="translationColumnName">Hypotheses.</param>
    /// <exception cref="SchemaMismatchException">A column is missing or not Text.</exception>
    public static TranslationMetrics Evaluate(this TranslationCatalog catalog, IDataView data, string referenceColumnName = "Target", string translationColumnName = "Translation")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        var reference = Seq2SeqTrainer.CheckText(data.Schema, referenceColumnName, "reference");
        var translation = Seq2SeqTrainer.CheckText(data.Schema, translationColumnName, "translation");
        var hyps = new List<IReadOnlyList<string>>();
        var refs = new List<IReadOnlyList<string>>();
        using var cursor = data.GetRowCursor([reference, translation]);
        while (cursor.MoveNext())
        {
            string? r = cursor.GetValue<string>(reference);
            if (r is null) continue;
            refs.Add(TranslationVocabulary.Tokenize(r));
            hyps.Add(TranslationVocabulary.Tokenize(cursor.GetValue<string>(translation)));
        }
        return CorpusBleu.Compute(hyps, refs);
    }
}
