namespace MLNetDeep.Estimators.Translation;

/// <summary>Corpus BLEU and its parts (see <see cref="CorpusBleu"/>).</summary>
/// <param name="Bleu">BLEU in [0, 1] (multiply by 100 for the usual figure).</param>
/// <param name="Precisions">Modified n-gram precisions, orders 1 to 4.</param>
/// <param name="BrevityPenalty">Brevity penalty in [0, 1].</param>
/// <param name="HypothesisLength">Tokens in all hypotheses.</param>
/// <param name="ReferenceLength">Sum of the closest reference lengths.</param>
/// <param name="Sentences">Number of hypotheses scored.</param>
public sealed record TranslationMetrics(double Bleu, IReadOnlyList<double> Precisions, double BrevityPenalty, long HypothesisLength, long ReferenceLength, int Sentences)
{
    /// <summary>BLEU × 100, as papers and the course report it.</summary>
    public double BleuPercent => Bleu * 100;

    /// <inheritdoc/>
    public override string ToString() => FormattableString.Invariant(
        $"BLEU {BleuPercent:F2} (p1-4 {string.Join("/", Precisions.Select(p => (p * 100).ToString("F1", System.Globalization.CultureInfo.InvariantCulture)))}, BP {BrevityPenalty:F3}, hyp/ref {HypothesisLength}/{ReferenceLength})");
}
