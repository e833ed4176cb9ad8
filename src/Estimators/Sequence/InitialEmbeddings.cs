namespace MLNetDeep.Estimators.Sequence;

/// <summary>
/// Pre-trained word vectors to initialise a sequence model's embedding: a vocabulary and one row of
/// <see cref="Dimension"/> floats per word (row-major in <see cref="Vectors"/>). A fitted Word2Vec
/// transformer (or any other source: GloVe text files, gensim) provides exactly this pair. Words of
/// the model's token vocabulary (its key values) found here start from these vectors; the others keep
/// their random initialisation. Matching is exact (case-sensitive), so normalise the same way.
/// </summary>
public sealed class InitialEmbeddings
{
    private readonly Dictionary<string, int> _index;

    /// <summary>Creates the table.</summary>
    /// <param name="words">The words, one per row; duplicates are an error.</param>
    /// <param name="vectors">words.Count × dimension floats, row-major.</param>
    /// <param name="dimension">Vector width.</param>
    public InitialEmbeddings(IReadOnlyList<string> words, float[] vectors, int dimension)
    {
        ArgumentNullException.ThrowIfNull(words);
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        if (vectors.Length != (long)words.Count * dimension)
            throw new ArgumentException($"{words.Count} words × {dimension} dimensions need {(long)words.Count * dimension} floats, got {vectors.Length}.", nameof(vectors));
        _index = new Dictionary<string, int>(words.Count, StringComparer.Ordinal);
        for (int i = 0; i < words.Count; i++)
            if (!_index.TryAdd(words[i] ?? throw new ArgumentException($"words[{i}] is null.", nameof(words)), i))
                throw new ArgumentException($"Word '{words[i]}' appears twice.", nameof(words));
        Words = [.. words];
        Vectors = vectors;
        Dimension = dimension;
    }

    /// <summary>The words.</summary>
    public IReadOnlyList<string> Words { get; }

    /// <summary>The vectors, row-major [words, dimension].</summary>
    public float[] Vectors { get; }

    /// <summary>Vector width.</summary>
    public int Dimension { get; }

    /// <summary>The vector of <paramref name="word"/>, or false.</summary>
    public bool TryGetVector(string word, out ReadOnlySpan<float> vector)
    {
        if (_index.TryGetValue(word, out int i))
        {
            vector = Vectors.AsSpan(i * Dimension, Dimension);
            return true;
        }
        vector = default;
        return false;
    }

    /// <summary>
    /// Writes the vectors into an embedding table whose row k is key k (row 0 = key 0 is left alone);
    /// returns how many keys were initialised.
    /// </summary>
    internal int CopyInto(Tensors.Tensor weight, IReadOnlyList<string> keyValues)
    {
        if (weight.Size(1) != Dimension)
            throw new ArgumentException($"InitialEmbeddings has dimension {Dimension} but the model's EmbeddingDimension is {weight.Size(1)}.", "InitialEmbeddings");
        var data = weight.Detach().ToArray<float>();
        int found = 0;
        for (int k = 0; k < keyValues.Count; k++)
        {
            if (!TryGetVector(keyValues[k], out var v)) continue;
            v.CopyTo(data.AsSpan((k + 1) * Dimension, Dimension));
            found++;
        }
        using (Tensors.Tensor.NoGrad()) weight.CopyFrom(Tensors.Tensor.FromArray(data, weight.Shape.ToArray()));
        return found;
    }
}
