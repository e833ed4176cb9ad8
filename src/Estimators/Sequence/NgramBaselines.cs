namespace MLNetDeep.Estimators.Sequence;

/// <summary>
/// Count-based next-word baselines on the same keys and examples as the neural models: a unigram model
/// (add-one smoothed word frequencies, context ignored) and a bigram model interpolating
/// λ·c(prev, w)/c(prev) + (1 − λ)·P_unigram(w), where prev is the word just before. λ is chosen from
/// 0.1…0.9 to minimise the perplexity of the examples being scored, which favours the baseline.
/// </summary>
public sealed class NgramBaselines
{
    private readonly int _vocabulary;
    private readonly double[] _unigram;
    private readonly Dictionary<uint, Dictionary<int, int>> _bigram = [];
    private readonly Dictionary<uint, int> _previousCounts = [];

    private NgramBaselines(int vocabulary, IReadOnlyList<SequenceExample> train)
    {
        _vocabulary = vocabulary;
        var counts = new double[vocabulary];
        foreach (var e in train)
        {
            counts[e.Target]++;
            uint prev = e.Tokens[^1];
            if (!_bigram.TryGetValue(prev, out var next)) _bigram[prev] = next = [];
            next[(int)e.Target] = next.GetValueOrDefault((int)e.Target) + 1;
            _previousCounts[prev] = _previousCounts.GetValueOrDefault(prev) + 1;
        }
        double total = train.Count + vocabulary;
        _unigram = Array.ConvertAll(counts, c => (c + 1) / total);
    }

    /// <summary>Fits both baselines on the sentences' next-word examples (key rows; <paramref name="vocabulary"/> = key count).</summary>
    public static NgramBaselines Fit(IEnumerable<uint[]> sentences, int vocabulary)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabulary);
        return new NgramBaselines(vocabulary, LanguageModelExamples.FromSentences(sentences, 1));
    }

    /// <summary>The unigram model's metrics on the sentences' next-word examples.</summary>
    public LanguageModelMetrics EvaluateUnigram(IEnumerable<uint[]> sentences)
    {
        var acc = new LanguageModelMetrics.Accumulator();
        var p = Array.ConvertAll(_unigram, v => (float)v);
        foreach (var e in LanguageModelExamples.FromSentences(sentences, 1)) acc.Add(p, (int)e.Target);
        return acc.Result();
    }

    /// <summary>The bigram model's metrics (best λ, see the class summary) and that λ.</summary>
    public (LanguageModelMetrics Metrics, double Lambda) EvaluateBigram(IEnumerable<uint[]> sentences)
    {
        var examples = LanguageModelExamples.FromSentences(sentences, 1);
        (LanguageModelMetrics, double) best = (new LanguageModelMetrics(double.PositiveInfinity, 0, 0, 0), 0);
        var p = new float[_vocabulary];
        for (int step = 1; step <= 9; step++)
        {
            double lambda = step / 10.0;
            var acc = new LanguageModelMetrics.Accumulator();
            foreach (var e in examples)
            {
                Distribution(e.Tokens[^1], lambda, p);
                acc.Add(p, (int)e.Target);
            }
            var m = acc.Result();
            if (m.Perplexity < best.Item1.Perplexity) best = (m, lambda);
        }
        return best;
    }

    private void Distribution(uint previous, double lambda, float[] p)
    {
        bool seen = _bigram.TryGetValue(previous, out var next);
        double w = seen ? lambda : 0;
        for (int i = 0; i < p.Length; i++) p[i] = (float)((1 - w) * _unigram[i]);
        if (!seen) return;
        double n = _previousCounts[previous];
        foreach (var (k, c) in next!) p[k] += (float)(w * c / n);
    }
}
