namespace MLNetDeep.Estimators.Word2Vec;

/// <summary>
/// What every training thread shares: the input vectors (syn0), the output weights for negative sampling
/// (syn1neg) and hierarchical softmax (syn1), the noise-word table, the subsampling keep probabilities and
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
            NoiseTable = BuildNoiseTable(counts, o.NegativeSamplingExponent);
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

    public int[]? NoiseTable { get; }

    public HuffmanTree? Tree { get; }

    public float[] KeepProbability { get; }

    // Word w fills a share of the table proportional to count^exponent; the size is a power of two so a draw is a mask.
    private static int[] BuildNoiseTable(IReadOnlyList<long> counts, double exponent)
    {
        int n = counts.Count;
        int size = 1 << 16;
        while (size < n * 256L && size < 1 << 24) size <<= 1;
        var table = new int[size];
        double total = 0;
        for (int w = 0; w < n; w++) total += Math.Pow(counts[w], exponent);
        int word = 0;
        double cumulative = Math.Pow(counts[0], exponent) / total;
        for (int i = 0; i < size; i++)
        {
            table[i] = word;
            if ((i + 1) / (double)size > cumulative && word < n - 1)
            {
                word++;
                cumulative += Math.Pow(counts[word], exponent) / total;
            }
        }
        return table;
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
