namespace MLNetDeep.Estimators.Word2Vec;

/// <summary>
/// Options of the word2vec trainer. Names follow ML.NET; meanings and defaults follow gensim's
/// <c>Word2Vec</c> (listed in <see cref="Defaults"/>; gensim's name in brackets on each property).
/// </summary>
public sealed class Word2VecOptions
{
    /// <summary>Default values (gensim 4's defaults).</summary>
    public static class Defaults
    {
        /// <summary>Vector width [vector_size].</summary>
        public const int VectorSize = 100;
        /// <summary>Maximum distance between the centre word and a context word [window].</summary>
        public const int Window = 5;
        /// <summary>Words seen fewer times are dropped [min_count].</summary>
        public const int MinCount = 5;
        /// <summary>Subsampling threshold of frequent words [sample].</summary>
        public const double Sample = 1e-3;
        /// <summary>Noise words per positive example [negative].</summary>
        public const int NegativeSamples = 5;
        /// <summary>Initial learning rate [alpha].</summary>
        public const double LearningRate = 0.025;
        /// <summary>Final learning rate [min_alpha].</summary>
        public const double MinLearningRate = 0.0001;
        /// <summary>Passes over the corpus [epochs].</summary>
        public const int NumberOfEpochs = 5;
        /// <summary>Exponent of the noise distribution [ns_exponent].</summary>
        public const double NegativeSamplingExponent = 0.75;
    }

    /// <summary>Output column of the pooled sentence vector (Vector&lt;Single&gt;); set by the catalog method.</summary>
    public string OutputColumnName { get; set; } = "Features";

    /// <summary>Input column of tokens (Vector&lt;Text&gt;, e.g. from TokenizeIntoWords); set by the catalog method.</summary>
    public string InputColumnName { get; set; } = "Tokens";

    /// <summary>Output column of the per-token vectors (Vector&lt;Single&gt;, tokens × VectorSize, row-major); null: <see cref="OutputColumnName"/> + "Tokens".</summary>
    public string? TokenVectorsColumnName { get; set; }

    /// <summary>CBOW or skip-gram [sg].</summary>
    public Word2VecArchitecture Architecture { get; set; } = Word2VecArchitecture.Cbow;

    /// <summary>Vector width [vector_size].</summary>
    public int VectorSize { get; set; } = Defaults.VectorSize;

    /// <summary>Maximum context distance; each centre word uses a window drawn uniformly from 1..Window (random window shrinking) [window].</summary>
    public int Window { get; set; } = Defaults.Window;

    /// <summary>Words seen fewer times are dropped [min_count].</summary>
    public int MinCount { get; set; } = Defaults.MinCount;

    /// <summary>Keep only the most frequent words (ties by first occurrence); null: no limit [max_final_vocab, applied after MinCount].</summary>
    public int? MaxVocabularySize { get; set; }

    /// <summary>Subsampling threshold: a word of frequency f is kept with probability (sqrt(f/(Sample·N))+1)·Sample·N/f; 0 disables it [sample].</summary>
    public double Sample { get; set; } = Defaults.Sample;

    /// <summary>Noise words per positive example, drawn from the unigram^0.75 table; 0 disables negative sampling [negative].</summary>
    public int NegativeSamples { get; set; } = Defaults.NegativeSamples;

    /// <summary>Exponent of the noise distribution [ns_exponent].</summary>
    public double NegativeSamplingExponent { get; set; } = Defaults.NegativeSamplingExponent;

    /// <summary>Train with hierarchical softmax over a Huffman tree (alone or besides negative sampling) [hs].</summary>
    public bool HierarchicalSoftmax { get; set; }

    /// <summary>Initial learning rate; decays linearly to <see cref="MinLearningRate"/> over the whole run [alpha].</summary>
    public double LearningRate { get; set; } = Defaults.LearningRate;

    /// <summary>Learning rate at the end of training [min_alpha].</summary>
    public double MinLearningRate { get; set; } = Defaults.MinLearningRate;

    /// <summary>Passes over the corpus [epochs].</summary>
    public int NumberOfEpochs { get; set; } = Defaults.NumberOfEpochs;

    /// <summary>Training threads, updating the shared vectors lock-free (Hogwild); null: all cores [workers]. Results are reproducible for a seed only with 1 thread.</summary>
    public int? NumberOfThreads { get; set; }

    /// <summary>Seed of the initial vectors and of every thread's random stream; null: drawn from the context [seed].</summary>
    public int? Seed { get; set; }

    /// <summary>
    /// Corpora of at most this many in-vocabulary words are kept in memory as word ids (4 bytes a word) after the
    /// first epoch, so later epochs skip reading and looking up the text; larger corpora are streamed every
    /// epoch. 0: always stream. Default 25,000,000 (100 MB).
    /// </summary>
    public long CorpusCacheSize { get; set; } = 25_000_000;

    /// <summary>Pooling of the sentence vector.</summary>
    public Word2VecPooling Pooling { get; set; } = Word2VecPooling.Mean;

    /// <summary>What the fitted transformer does with unknown tokens.</summary>
    public UnknownWordPolicy UnknownWords { get; set; } = UnknownWordPolicy.Ignore;

    /// <summary>Receives <see cref="Word2VecProgress"/> about every second and at each epoch end.</summary>
    public IProgress<Word2VecProgress>? Progress { get; set; }

    /// <summary>Stops training (throws <see cref="OperationCanceledException"/>) within a batch of about 10,000 words.</summary>
    public CancellationToken CancellationToken { get; set; }

    internal string ResolvedTokenVectorsColumnName => TokenVectorsColumnName ?? OutputColumnName + "Tokens";

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(OutputColumnName, nameof(OutputColumnName));
        ArgumentException.ThrowIfNullOrEmpty(InputColumnName, nameof(InputColumnName));
        if (TokenVectorsColumnName is { Length: 0 }) throw new ArgumentException("Must be null or a column name.", nameof(TokenVectorsColumnName));
        if (ResolvedTokenVectorsColumnName == OutputColumnName) throw new ArgumentException("The token vectors column must differ from the output column.", nameof(TokenVectorsColumnName));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(VectorSize, nameof(VectorSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Window, nameof(Window));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MinCount, nameof(MinCount));
        if (MaxVocabularySize is int max) ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max, nameof(MaxVocabularySize));
        if (!(Sample >= 0)) throw new ArgumentOutOfRangeException(nameof(Sample), Sample, "Must be 0 or positive.");
        ArgumentOutOfRangeException.ThrowIfNegative(NegativeSamples, nameof(NegativeSamples));
        if (NegativeSamples == 0 && !HierarchicalSoftmax)
            throw new ArgumentException("Either NegativeSamples > 0 or HierarchicalSoftmax must be set.", nameof(NegativeSamples));
        if (!double.IsFinite(NegativeSamplingExponent)) throw new ArgumentOutOfRangeException(nameof(NegativeSamplingExponent), NegativeSamplingExponent, "Must be finite.");
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "Must be positive.");
        if (!(MinLearningRate >= 0) || MinLearningRate > LearningRate)
            throw new ArgumentOutOfRangeException(nameof(MinLearningRate), MinLearningRate, "Must be between 0 and LearningRate.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(NumberOfEpochs, nameof(NumberOfEpochs));
        ArgumentOutOfRangeException.ThrowIfNegative(CorpusCacheSize, nameof(CorpusCacheSize));
        if (NumberOfThreads is int t) ArgumentOutOfRangeException.ThrowIfNegativeOrZero(t, nameof(NumberOfThreads));
    }
}
