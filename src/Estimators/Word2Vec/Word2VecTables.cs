namespace MLNetDeep.Estimators.Word2Vec;

/// <summary>
/// What every training thread shares: the input vectors (syn0), the output weights for negative sampling
/// (syn1neg) and hierarchical softmax (syn1), the noise-word alias table, the subsampling keep probabilities and
/// the Huffman paths. Threads update the weight arrays without locks (Hogwild).
/// </summary>
internal sealed class Word2VecTables
{
    public Word2VecTables(IReadOnlyList<long> counts, Word2VecOptions o, ulong seed)
    {
        int n = counts.Count, dim = o.VectorSize;
        Dim = dim;
        Input = new float[(long)n * dim];
        var rng = new Word2VecRandom(seed);
        float scale = 1f / dim;
        for (long i = 0; i < Input.LongLength; i++) Input[i] = (rng.NextFloat() - 0.5f) * scale;
        if (o.NegativeSamples > 0)
        {
            NegativeOutput = new float[(long)n * dim];
            (NoiseThreshold, NoiseAlias) = BuildNoiseTable(counts, o.NegativeSamplingExponent);
        }
        if (o.HierarchicalSoftmax)
        {
            HsOutput = new float[(long)Math.Max(n - 1, 1) * dim];
            Tree = HuffmanTree.Build(counts);
        }
        KeepProbability = BuildKeepProbabilities(counts, o.Sample);
    }

    public int Dim { get; }

    public float[] Input { get; }

    public float[]? NegativeOutput { get; }

    public float[]? HsOutput { get; }

    public uint[]? NoiseThreshold { get; }

    public int[]? NoiseAlias { get; }

    public HuffmanTree? Tree { get; }

    public float[] KeepProbability { get; }

    // The noise distribution (count^exponent) as an alias table (Vose): draw a word i uniformly, keep it when a
    // second uniform 32-bit number is below NoiseThreshold[i], else take NoiseAlias[i]. Exact, O(1) a draw, and two
    // small arrays (8 bytes a word) that stay in cache, unlike word2vec.c's 1e8-entry table.
    private static (uint[] Threshold, int[] Alias) BuildNoiseTable(IReadOnlyList<long> counts, double exponent)
    {
        int n = counts.Count;
        var scaled = new double[n];
        double total = 0;
        for (int w = 0; w < n; w++) total += scaled[w] = Math.Pow(counts[w], exponent);
        for (int w = 0; w < n; w++) scaled[w] *= n / total;
        var threshold = new uint[n];
        var alias = new int[n];
        var small = new Stack<int>();
        var large = new Stack<int>();
        for (int w = n - 1; w >= 0; w--) (scaled[w] < 1 ? small : large).Push(w);
        while (small.Count > 0 && large.Count > 0)
        {
            int s = small.Pop(), l = large.Pop();
            threshold[s] = (uint)Math.Min(uint.MaxValue, scaled[s] * 4294967296.0);
            alias[s] = l;
            scaled[l] += scaled[s] - 1;
            (scaled[l] < 1 ? small : large).Push(l);
        }
        // What is left has probability 1 (up to rounding): always kept.
        foreach (int w in small.Concat(large))
        {
            threshold[w] = uint.MaxValue;
            alias[w] = w;
        }
        return (threshold, alias);
    }

    // word2vec/gensim subsampling: keep with probability (sqrt(c/t)+1)·t/c, t = sample·(total count), capped at 1.
    private static float[] BuildKeepProbabilities(IReadOnlyList<long> counts, double sample)
    {
        var keep = new float[counts.Count];
        double total = 0;
        foreach (long c in counts) total += c;
        double threshold = sample * total;
        for (int w = 0; w < keep.Length; w++)
            keep[w] = sample <= 0 ? 1f : (float)Math.Min(1.0, (Math.Sqrt(counts[w] / threshold) + 1) * threshold / counts[w]);
        return keep;
    }
}
