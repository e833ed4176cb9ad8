using MLNetDeep.Tensors;

namespace MLNetDeep.Estimators.Translation;

/// <summary>
/// A padded batch: source ids [S, B] and lengths; for training also the decoder input [T, B]
/// (&lt;s&gt; y1 … yn) and the targets [B, T] (y1 … yn &lt;/s&gt;), padded with 0.
/// </summary>
internal sealed record Seq2SeqBatch(Tensor Source, int[] SourceLengths, Tensor? TargetInput, Tensor? TargetOutput, long Tokens, int Size)
{
    /// <summary>Builds a batch; an empty source becomes a lone &lt;unk&gt; so every row attends to something.</summary>
    public static Seq2SeqBatch Create(IReadOnlyList<int[]> sources, IReadOnlyList<int[]>? targets)
    {
        int b = sources.Count;
        int s = Math.Max(1, sources.Max(x => x.Length));
        var src = new long[s * b];
        var lengths = new int[b];
        long tokens = 0;
        for (int i = 0; i < b; i++)
        {
            var x = sources[i];
            if (x.Length == 0) { src[i] = TranslationVocabulary.Unk; lengths[i] = 1; }
            for (int t = 0; t < x.Length; t++) src[t * b + i] = x[t];
            if (x.Length > 0) lengths[i] = x.Length;
            tokens += lengths[i];
        }
        var source = Tensor.FromArray(src, s, b);
        if (targets is null) return new Seq2SeqBatch(source, lengths, null, null, tokens, b);
        int T = targets.Max(y => y.Length) + 1;
        var input = new long[T * b];
        var output = new long[b * T];
        for (int i = 0; i < b; i++)
        {
            var y = targets[i];
            input[i] = TranslationVocabulary.Bos;
            for (int t = 0; t < y.Length; t++)
            {
                input[(t + 1) * b + i] = y[t];
                output[i * T + t] = y[t];
            }
            output[i * T + y.Length] = TranslationVocabulary.Eos;
            tokens += y.Length + 1;
        }
        return new Seq2SeqBatch(source, lengths, Tensor.FromArray(input, T, b), Tensor.FromArray(output, b, T), tokens, b);
    }

    /// <summary>
    /// Length-bucketed batch order: pairs are shuffled, stably sorted by source then target length, cut into
    /// batches of <paramref name="batchSize"/>, and the batches shuffled. Deterministic for a generator state.
    /// </summary>
    public static List<int[]> BucketedOrder(IReadOnlyList<int[]> sources, IReadOnlyList<int[]> targets, int batchSize, Generator generator)
    {
        var order = Enumerable.Range(0, sources.Count).ToArray();
        generator.Shuffle(order.AsSpan());
        var sorted = order.OrderBy(i => sources[i].Length).ThenBy(i => targets[i].Length).ToArray();
        var batches = new List<int[]>();
        for (int start = 0; start < sorted.Length; start += batchSize) batches.Add(sorted[start..Math.Min(sorted.Length, start + batchSize)]);
        var shuffled = batches.ToArray();
        generator.Shuffle(shuffled.AsSpan());
        return [.. shuffled];
    }
}
