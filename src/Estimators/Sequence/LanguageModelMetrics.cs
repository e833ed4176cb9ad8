namespace MLNetDeep.Estimators.Sequence;

/// <summary>Next-word metrics over a set of (context, next word) examples.</summary>
/// <param name="Perplexity">exp of the mean negative log-probability of the true next word.</param>
/// <param name="Top1Accuracy">Fraction where the true word has the highest probability.</param>
/// <param name="Top5Accuracy">Fraction where fewer than 5 words are strictly more probable than the true word.</param>
/// <param name="Examples">Examples counted.</param>
public sealed record LanguageModelMetrics(double Perplexity, double Top1Accuracy, double Top5Accuracy, long Examples)
{
    /// <summary>Accumulates metrics from probability rows.</summary>
    internal sealed class Accumulator
    {
        private double _nll;
        private long _top1, _top5, _n;

        /// <summary>Adds one example: <paramref name="probabilities"/> over the vocabulary (zero-based) and the true index.</summary>
        public void Add(ReadOnlySpan<float> probabilities, int target)
        {
            float p = probabilities[target];
            int above = 0;
            foreach (float q in probabilities) if (q > p) above++;
            _nll -= Math.Log(Math.Max(p, 1e-30f));
            if (above == 0) _top1++;
            if (above < 5) _top5++;
            _n++;
        }

        public LanguageModelMetrics Result() => _n == 0
            ? new LanguageModelMetrics(double.NaN, 0, 0, 0)
            : new LanguageModelMetrics(Math.Exp(_nll / _n), (double)_top1 / _n, (double)_top5 / _n, _n);
    }

    /// <summary>Metrics of a network on examples.</summary>
    internal static LanguageModelMetrics Of(SequenceNetwork net, IReadOnlyList<SequenceExample> examples, string column)
    {
        var acc = new Accumulator();
        foreach (var (start, p, c) in SequenceTrainingLoop.Predict(net, examples, column))
            for (int i = 0; i < p.Length / c; i++) acc.Add(p.AsSpan(i * c, c), (int)examples[start + i].Target);
        return acc.Result();
    }
}

/// <summary>Per-epoch figures of a next-word predictor (reported when a validation set is given to Fit).</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Train">Metrics on (up to 5000 of) the training examples.</param>
/// <param name="Validation">Metrics on the validation examples.</param>
public sealed record NextWordEpochMetrics(int Epoch, LanguageModelMetrics Train, LanguageModelMetrics Validation);
