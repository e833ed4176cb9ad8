using System.Numerics.Tensors;
using MLNetDeep.Conversion;

namespace MLNetDeep.Estimators.Word2Vec;

/// <summary>
/// Trained word vectors (gensim's KeyedVectors): the vocabulary in decreasing frequency, each word's
/// count and vector, and queries over them (cosine neighbours, analogies, similarity). Immutable and
/// thread-safe; the unit-length copy used by the queries is computed once, on first use.
/// </summary>
public sealed class Word2VecModel
{
    private readonly float[] _vectors;
    private readonly long[] _counts;
    private float[]? _unit;

    /// <summary>Creates a model from words (distinct), their counts and row-major vectors [words × vectorSize].</summary>
    /// <exception cref="ArgumentException">Sizes disagree, or a word is repeated or empty.</exception>
    public Word2VecModel(IReadOnlyList<string> words, IReadOnlyList<long> counts, float[] vectors, int vectorSize)
    {
        ArgumentNullException.ThrowIfNull(words);
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vectorSize);
        if (counts.Count != words.Count) throw new ArgumentException($"{counts.Count} counts for {words.Count} words.", nameof(counts));
        if (vectors.LongLength != (long)words.Count * vectorSize)
            throw new ArgumentException($"{vectors.Length} values for {words.Count} words × {vectorSize}.", nameof(vectors));
        foreach (var w in words)
            if (string.IsNullOrEmpty(w)) throw new ArgumentException("A word is null or empty.", nameof(words));
        Vocabulary = new Vocabulary(words);
        _counts = [.. counts];
        _vectors = vectors;
        VectorSize = vectorSize;
    }

    /// <summary>The words; key k (1-based) is word k-1, as in the ONNX export's ids.</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>Words in vocabulary order.</summary>
    public IReadOnlyList<string> Words => Vocabulary.Terms;

    /// <summary>Number of words.</summary>
    public int Count => Vocabulary.Count;

    /// <summary>Vector width.</summary>
    public int VectorSize { get; }

    /// <summary>Corpus count of each word (vocabulary order).</summary>
    public IReadOnlyList<long> Counts => _counts;

    /// <summary>All vectors, row-major [Count × VectorSize] (read-only view).</summary>
    public ReadOnlySpan<float> Vectors => _vectors;

    internal float[] RawVectors => _vectors;

    /// <summary>Zero-based index of <paramref name="word"/>, or -1.</summary>
    public int IndexOf(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        return (int)Vocabulary.GetKey(word) - 1;
    }

    /// <summary>Whether <paramref name="word"/> has a vector.</summary>
    public bool Contains(string word) => IndexOf(word) >= 0;

    /// <summary>A copy of the vector of <paramref name="word"/>.</summary>
    /// <exception cref="KeyNotFoundException">The word is not in the vocabulary.</exception>
    public float[] GetVector(string word) => Row(Require(word)).ToArray();

    /// <summary>The vector of <paramref name="word"/> when it is known.</summary>
    public bool TryGetVector(string word, out float[] vector)
    {
        int i = IndexOf(word);
        vector = i < 0 ? [] : Row(i).ToArray();
        return i >= 0;
    }

    /// <summary>Cosine similarity of two words.</summary>
    /// <exception cref="KeyNotFoundException">A word is not in the vocabulary.</exception>
    public double Similarity(string word1, string word2)
    {
        var u = Unit();
        return TensorPrimitives.Dot(UnitRow(u, Require(word1)), UnitRow(u, Require(word2)));
    }

    /// <summary>The <paramref name="topN"/> words nearest to <paramref name="word"/> by cosine, the word itself excluded.</summary>
    /// <exception cref="KeyNotFoundException">The word is not in the vocabulary.</exception>
    public IReadOnlyList<(string Word, double Similarity)> MostSimilar(string word, int topN = 10) => MostSimilar([word], [], topN);

    /// <summary>
    /// Analogy query (3CosAdd): the words nearest by cosine to the mean of the unit vectors of
    /// <paramref name="positive"/> minus those of <paramref name="negative"/>, excluding the query words.
    /// <c>MostSimilar(["king", "woman"], ["man"])</c> asks "man is to king as woman is to ?".
    /// </summary>
    /// <exception cref="KeyNotFoundException">A word is not in the vocabulary.</exception>
    /// <exception cref="ArgumentException">No word is given.</exception>
    public IReadOnlyList<(string Word, double Similarity)> MostSimilar(IReadOnlyList<string> positive, IReadOnlyList<string> negative, int topN = 10)
    {
        ArgumentNullException.ThrowIfNull(positive);
        ArgumentNullException.ThrowIfNull(negative);
        ArgumentOutOfRangeException.ThrowIfNegative(topN);
        if (positive.Count + negative.Count == 0) throw new ArgumentException("MostSimilar needs at least one word.", nameof(positive));
        var u = Unit();
        var query = new float[VectorSize];
        var exclude = new HashSet<int>();
        foreach (var (words, sign) in new[] { (positive, 1f), (negative, -1f) })
        {
            foreach (var w in words)
            {
                int i = Require(w);
                exclude.Add(i);
                TensorPrimitives.MultiplyAdd(UnitRow(u, i), sign, query, query);
            }
        }
        float norm = TensorPrimitives.Norm(query);
        if (norm > 0) TensorPrimitives.Divide(query, norm, query);
        return Nearest(query, exclude, topN);
    }

    /// <summary>The <paramref name="topN"/> words nearest by cosine to an arbitrary vector.</summary>
    /// <exception cref="ArgumentException">The vector does not have <see cref="VectorSize"/> values.</exception>
    public IReadOnlyList<(string Word, double Similarity)> SimilarByVector(ReadOnlySpan<float> vector, int topN = 10)
    {
        if (vector.Length != VectorSize) throw new ArgumentException($"The vector has {vector.Length} values; the model's vectors have {VectorSize}.", nameof(vector));
        ArgumentOutOfRangeException.ThrowIfNegative(topN);
        var query = vector.ToArray();
        float norm = TensorPrimitives.Norm(query);
        if (norm > 0) TensorPrimitives.Divide(query, norm, query);
        return Nearest(query, [], topN);
    }

    private List<(string Word, double Similarity)> Nearest(float[] query, HashSet<int> exclude, int topN)
    {
        var u = Unit();
        // A small sorted list of the best scores (topN is small next to the vocabulary).
        var best = new List<(float Score, int Index)>(topN + 1);
        for (int i = 0; i < Count; i++)
        {
            if (exclude.Contains(i)) continue;
            float s = TensorPrimitives.Dot(UnitRow(u, i), query);
            if (best.Count == topN && (topN == 0 || s <= best[^1].Score)) continue;
            int at = best.Count;
            while (at > 0 && best[at - 1].Score < s) at--;
            best.Insert(at, (s, i));
            if (best.Count > topN) best.RemoveAt(best.Count - 1);
        }
        return best.Select(b => (Words[b.Index], (double)b.Score)).ToList();
    }

    /// <summary>Writes the vectors in the word2vec text or binary format (see <see cref="Word2VecFormat"/>).</summary>
    public void SaveWord2VecFormat(string path, bool binary = false) => Word2VecFormat.Save(this, path, binary);

    /// <summary>Reads vectors in the word2vec text or binary format (e.g. written by gensim or word2vec.c).</summary>
    /// <exception cref="InvalidDataException">The file is malformed.</exception>
    public static Word2VecModel LoadWord2VecFormat(string path, bool binary = false) => Word2VecFormat.Load(path, binary);

    private int Require(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        int i = IndexOf(word);
        return i >= 0 ? i : throw new KeyNotFoundException($"Word '{word}' is not in the word2vec vocabulary ({Count} words).");
    }

    private ReadOnlySpan<float> Row(int i) => _vectors.AsSpan(i * VectorSize, VectorSize);

    private ReadOnlySpan<float> UnitRow(float[] unit, int i) => unit.AsSpan(i * VectorSize, VectorSize);

    private float[] Unit()
    {
        if (_unit is { } cached) return cached;
        var unit = new float[_vectors.Length];
        for (int i = 0; i < Count; i++)
        {
            var src = Row(i);
            float norm = TensorPrimitives.Norm(src);
            TensorPrimitives.Multiply(src, norm > 0 ? 1f / norm : 0f, unit.AsSpan(i * VectorSize, VectorSize));
        }
        return _unit = unit;
    }
}
