namespace MLNetDeep.Estimators.Translation;

/// <summary>
/// Corpus BLEU (Papineni et al. 2002) on tokenized text, computed as nltk 3.8's <c>corpus_bleu</c> with its
/// default uniform weights over 1- to 4-grams and no smoothing: clipped n-gram matches and n-gram counts
/// are summed over the corpus (each hypothesis adds at least 1 to every denominator, as nltk does), the
/// reference length of a hypothesis is its closest reference length (the shorter on a tie), and the
/// brevity penalty is exp(1 − r/c) when the corpus hypothesis length c is at most r. When some order has
/// no match the score is 0 (nltk returns 0 for no unigram match and a value below 1e-70 otherwise).
/// </summary>
public static class CorpusBleu
{
    /// <summary>Scores hypotheses against one reference each.</summary>
    /// <param name="hypotheses">Tokenized hypotheses.</param>
    /// <param name="references">One tokenized reference per hypothesis.</param>
    /// <param name="maxOrder">Largest n-gram order (4 by default).</param>
    public static TranslationMetrics Compute(IReadOnlyList<IReadOnlyList<string>> hypotheses, IReadOnlyList<IReadOnlyList<string>> references, int maxOrder = 4)
    {
        ArgumentNullException.ThrowIfNull(references);
        return Compute(hypotheses, references.Select(r => (IReadOnlyList<IReadOnlyList<string>>)[r]).ToList(), maxOrder);
    }

    /// <summary>Scores hypotheses against one or more references each.</summary>
    /// <param name="hypotheses">Tokenized hypotheses.</param>
    /// <param name="references">The tokenized references of each hypothesis (at least one).</param>
    /// <param name="maxOrder">Largest n-gram order (4 by default).</param>
    /// <exception cref="ArgumentException">The lists differ in length or a hypothesis has no reference.</exception>
    public static TranslationMetrics Compute(IReadOnlyList<IReadOnlyList<string>> hypotheses, IReadOnlyList<IReadOnlyList<IReadOnlyList<string>>> references, int maxOrder = 4)
    {
        ArgumentNullException.ThrowIfNull(hypotheses);
        ArgumentNullException.ThrowIfNull(references);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxOrder, 1);
        if (hypotheses.Count != references.Count)
            throw new ArgumentException($"{hypotheses.Count} hypotheses but {references.Count} reference sets.", nameof(references));
        var matches = new long[maxOrder];
        var totals = new long[maxOrder];
        long hypLength = 0, refLength = 0;
        for (int i = 0; i < hypotheses.Count; i++)
        {
            var hyp = hypotheses[i];
            var refs = references[i];
            if (refs is null || refs.Count == 0) throw new ArgumentException($"Hypothesis {i} has no reference.", nameof(references));
            for (int n = 1; n <= maxOrder; n++)
            {
                var counts = Ngrams(hyp, n);
                var maxRef = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (var r in refs)
                    foreach (var (gram, c) in Ngrams(r, n))
                        if (counts.ContainsKey(gram) && c > maxRef.GetValueOrDefault(gram)) maxRef[gram] = c;
                long clipped = 0, total = 0;
                foreach (var (gram, c) in counts)
                {
                    clipped += Math.Min(c, maxRef.GetValueOrDefault(gram));
                    total += c;
                }
                matches[n - 1] += clipped;
                totals[n - 1] += Math.Max(1, total);
            }
            hypLength += hyp.Count;
            refLength += ClosestReferenceLength(refs, hyp.Count);
        }
        var precisions = new double[maxOrder];
        for (int n = 0; n < maxOrder; n++) precisions[n] = totals[n] == 0 ? 0 : (double)matches[n] / totals[n];
        double bp = hypLength > refLength ? 1 : hypLength == 0 ? 0 : Math.Exp(1 - (double)refLength / hypLength);
        double bleu = 0;
        if (precisions.All(p => p > 0))
        {
            double logSum = 0;
            foreach (double p in precisions) logSum += Math.Log(p) / maxOrder;
            bleu = bp * Math.Exp(logSum);
        }
        return new TranslationMetrics(bleu, precisions, bp, hypLength, refLength, hypotheses.Count);
    }

    private static int ClosestReferenceLength(IReadOnlyList<IReadOnlyList<string>> refs, int hypLength)
    {
        int best = refs[0].Count;
        foreach (var r in refs)
        {
            int d = Math.Abs(r.Count - hypLength), bd = Math.Abs(best - hypLength);
            if (d < bd || (d == bd && r.Count < best)) best = r.Count;
        }
        return best;
    }

    private static Dictionary<string, int> Ngrams(IReadOnlyList<string> tokens, int n)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i + n <= tokens.Count; i++)
        {
            string gram = n == 1 ? tokens[i] : string.Join('\u0001', Enumerable.Range(i, n).Select(k => tokens[k]));
            counts[gram] = counts.GetValueOrDefault(gram) + 1;
        }
        return counts;
    }
}
