using MLNetDeep.Tensors;

namespace MLNetDeep.Estimators.Translation;

/// <summary>A decoded translation: target ids (end-of-sentence excluded), total log-probability and the ranking score.</summary>
/// <param name="Ids">Target ids.</param>
/// <param name="LogProbability">Sum of the token log-probabilities (end-of-sentence included when emitted).</param>
/// <param name="Score">LogProbability / (tokens + 1)^lengthPenalty, the beam ranking.</param>
/// <param name="Ended">Whether it ended with &lt;/s&gt; (false: cut at the length limit; ranked after every ended one).</param>
public sealed record Hypothesis(int[] Ids, double LogProbability, double Score, bool Ended = true);

/// <summary>Greedy and beam-search decoding of a batch of sentences with a <see cref="Seq2SeqNetwork"/>.</summary>
internal static class Seq2SeqDecoding
{
    /// <summary>Greedy decoding: the most probable token at each step until &lt;/s&gt; or <paramref name="maxLength"/> tokens.</summary>
    public static int[][] Greedy(Seq2SeqNetwork net, Seq2SeqBatch batch, int maxLength)
    {
        using var _ = Tensor.NoGrad();
        var (memory, state) = net.Encode(batch.Source, batch.SourceLengths);
        int b = batch.Size, v = net.Shape.TargetVocabulary;
        var prev = new long[b];
        Array.Fill(prev, TranslationVocabulary.Bos);
        var outputs = Enumerable.Range(0, b).Select(_ => new List<int>()).ToArray();
        var finished = new bool[b];
        int open = b;
        for (int step = 0; step < maxLength && open > 0; step++)
        {
            var (logits, next) = net.Decode(Tensor.FromArray(prev, 1, b), state, memory);
            state = next;
            var l = logits.ToArray<float>();
            for (int i = 0; i < b; i++)
            {
                int best = ArgMax(l.AsSpan(i * v, v));
                prev[i] = best;
                if (finished[i]) continue;
                if (best == TranslationVocabulary.Eos) { finished[i] = true; open--; }
                else outputs[i].Add(best);
            }
        }
        return outputs.Select(o => o.ToArray()).ToArray();
    }

    private static int ArgMax(ReadOnlySpan<float> x)
    {
        int best = 0;
        for (int k = 1; k < x.Length; k++) if (x[k] > x[best]) best = k;
        return best;
    }

    /// <summary>
    /// Batched beam search: <paramref name="beamSize"/> live hypotheses per sentence, expanded by their best
    /// tokens; an end-of-sentence among the k best candidates closes a hypothesis, and a sentence is done when
    /// no live hypothesis can outrank its k-th closed one (or after <paramref name="maxLength"/> tokens, when the
    /// live ones are added after the ended ones). Returns each sentence's hypotheses: ended ones first, each group best first by
    /// <see cref="Hypothesis.Score"/>.
    /// </summary>
    public static List<Hypothesis>[] Beam(Seq2SeqNetwork net, Seq2SeqBatch batch, int beamSize, double lengthPenalty, int maxLength)
    {
        using var _ = Tensor.NoGrad();
        int b = batch.Size, k = beamSize, v = net.Shape.TargetVocabulary, rows = b * k;
        var (memory, state) = net.Encode(batch.Source, batch.SourceLengths);
        var expand = Tensor.FromArray(Enumerable.Range(0, rows).Select(r => (long)(r / k)).ToArray());
        memory = memory.Rows(expand);
        state = state.Rows(expand);
        var scores = new double[rows];
        var seqs = new List<int>[rows];
        for (int r = 0; r < rows; r++) { scores[r] = r % k == 0 ? 0 : double.NegativeInfinity; seqs[r] = []; }
        var prev = new long[rows];
        Array.Fill(prev, TranslationVocabulary.Bos);
        var done = Enumerable.Range(0, b).Select(_ => new List<Hypothesis>()).ToArray();
        double Rank(double logp, int tokens) => lengthPenalty == 0 ? logp : logp / Math.Pow(tokens + 1, lengthPenalty);
        var logp = new float[v];
        var closed = new bool[b];
        for (int step = 0; step < maxLength; step++)
        {
            var (logits, next) = net.Decode(Tensor.FromArray(prev, 1, rows), state, memory);
            var l = logits.ToArray<float>();
            var parents = new long[rows];
            var newScores = new double[rows];
            var newSeqs = new List<int>[rows];
            for (int i = 0; i < b; i++)
            {
                var candidates = new List<(double Score, int Beam, int Token)>();
                if (!closed[i])
                    for (int j = 0; j < k; j++)
                    {
                        int r = i * k + j;
                        if (double.IsNegativeInfinity(scores[r])) continue;
                        LogSoftmax(l.AsSpan(r * v, v), logp);
                        foreach (int t in TopK(logp, k)) candidates.Add((scores[r] + logp[t], j, t));
                    }
                candidates.Sort((x, y) => y.Score.CompareTo(x.Score));
                int filled = 0;
                for (int rank = 0; rank < candidates.Count && filled < k; rank++)
                {
                    var c = candidates[rank];
                    var seq = seqs[i * k + c.Beam];
                    if (c.Token == TranslationVocabulary.Eos)
                    {
                        // Only an end among the k best candidates closes a hypothesis.
                        if (rank < k) done[i].Add(new Hypothesis([.. seq], c.Score, Rank(c.Score, seq.Count)));
                        continue;
                    }
                    int r = i * k + filled++;
                    parents[r] = i * k + c.Beam;
                    newScores[r] = c.Score;
                    newSeqs[r] = [.. seq, c.Token];
                }
                for (; filled < k; filled++)
                {
                    int r = i * k + filled;
                    parents[r] = i * k;
                    newScores[r] = double.NegativeInfinity;
                    newSeqs[r] = [];
                }
            }
            scores = newScores;
            seqs = newSeqs;
            for (int r = 0; r < rows; r++) prev[r] = seqs[r].Count > 0 ? seqs[r][^1] : TranslationVocabulary.Eos;
            state = next.Rows(Tensor.FromArray(parents));
            for (int i = 0; i < b; i++) closed[i] = closed[i] || Finished(done[i], scores.AsSpan(i * k, k), k, lengthPenalty, maxLength);
            if (closed.All(c => c)) break;
        }
        for (int i = 0; i < b; i++)
        {
            if (!closed[i])
                for (int j = 0; j < k; j++)
                {
                    int r = i * k + j;
                    if (!double.IsNegativeInfinity(scores[r])) done[i].Add(new Hypothesis([.. seqs[r]], scores[r], Rank(scores[r], seqs[r].Count), Ended: false));
                }
            done[i].Sort((x, y) => x.Ended != y.Ended ? y.Ended.CompareTo(x.Ended) : y.Score.CompareTo(x.Score));
        }
        return done;
    }

    /// <summary>
    /// A sentence is finished when it has k ended hypotheses and no live one can outrank the k-th of them:
    /// log-probabilities only fall, and the most a live one can gain from the length penalty is being
    /// divided by (maxLength + 1)^lengthPenalty.
    /// </summary>
    private static bool Finished(List<Hypothesis> done, ReadOnlySpan<double> live, int k, double lengthPenalty, int maxLength)
    {
        if (done.Count < k) return false;
        double kth = done.Select(h => h.Score).OrderByDescending(x => x).ElementAt(k - 1);
        double divisor = lengthPenalty == 0 ? 1 : Math.Pow(maxLength + 1, lengthPenalty);
        foreach (double s in live)
            if (!double.IsNegativeInfinity(s) && s / divisor > kth) return false;
        return true;
    }

    private static void LogSoftmax(ReadOnlySpan<float> x, Span<float> y)
    {
        float max = float.NegativeInfinity;
        foreach (float f in x) if (f > max) max = f;
        double sum = 0;
        foreach (float f in x) sum += Math.Exp(f - max);
        float log = max + (float)Math.Log(sum);
        for (int i = 0; i < x.Length; i++) y[i] = x[i] - log;
    }

    private static int[] TopK(ReadOnlySpan<float> x, int k)
    {
        var best = new List<int>(k + 1);
        for (int t = 0; t < x.Length; t++)
        {
            if (best.Count == k && x[t] <= x[best[^1]]) continue;
            int pos = best.Count;
            while (pos > 0 && x[best[pos - 1]] < x[t]) pos--;
            best.Insert(pos, t);
            if (best.Count > k) best.RemoveAt(k);
        }
        return [.. best];
    }
}
