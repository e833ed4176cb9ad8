using System.Text.Json.Nodes;
using MLNetDeep.Data;
using MLNetDeep.Estimators.Text;
using MLNetDeep.Persistence;

namespace MLNetDeep.Estimators.Sequence;

/// <summary>A next word and its probability.</summary>
/// <param name="Word">The word (the vocabulary's key value; "#k" without a vocabulary).</param>
/// <param name="Key">Its 1-based key.</param>
/// <param name="Probability">P(word | context).</param>
public sealed record WordProbability(string Word, uint Key, float Probability);

/// <summary>
/// A trained next-word predictor. As a transformer it reads a context (Vector&lt;Key&gt;, cut to its last
/// <see cref="ContextSize"/> keys) and adds Score (probabilities over the vocabulary keys) and
/// PredictedLabel (the most probable next key, named by the vocabulary). It also gives top-k next words,
/// temperature sampling for generation and perplexity/top-k accuracy. Immutable and thread-safe.
/// </summary>
public sealed class NextWordPredictionTransformer : TokenScoringTransformer
{
    /// <summary>Registry name of this component.</summary>
    public const string ComponentName = "NextWordPredictor";

    private readonly Dictionary<string, uint> _keys = new(StringComparer.Ordinal);

    /// <summary>Creates the transformer around a trained network.</summary>
    public NextWordPredictionTransformer(SequenceNetwork network, string tokensColumnName, string scoreColumnName, string predictedLabelColumnName,
        IReadOnlyList<string>? vocabulary, int contextSize)
        : base(ComponentName, tokensColumnName, scoreColumnName, predictedLabelColumnName)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentOutOfRangeException.ThrowIfNegative(contextSize);
        if (vocabulary is not null && vocabulary.Count != network.Outputs)
            throw new ArgumentException($"{vocabulary.Count} words for {network.Outputs} outputs.", nameof(vocabulary));
        Network = network;
        ContextSize = contextSize;
        Vocabulary = vocabulary is null ? null : [.. vocabulary];
        if (vocabulary is not null) for (int k = 0; k < vocabulary.Count; k++) _keys.TryAdd(vocabulary[k], (uint)(k + 1));
    }

    /// <summary>The trained network.</summary>
    public SequenceNetwork Network { get; }

    /// <summary>Previous words used (0: all).</summary>
    public int ContextSize { get; }

    /// <summary>The words of keys 1..V (the token column's key values), or null.</summary>
    public IReadOnlyList<string>? Vocabulary { get; }

    /// <inheritdoc/>
    public override Tensors.Nn.Module OnnxNetwork => Network;

    /// <inheritdoc/>
    private protected override int ScoreCount => Network.Outputs;

    /// <inheritdoc/>
    private protected override IReadOnlyList<string>? KeyNames => Vocabulary;

    /// <summary>Next-key probabilities [rows][V] for contexts (each cut to its last <see cref="ContextSize"/> keys); an empty context is an <see cref="ArgumentException"/>.</summary>
    public override float[][] Score(IReadOnlyList<uint[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return SequenceScoring.Score(Network, rows.Select(Window).ToList(), TokensColumnName);
    }

    private uint[] Window(uint[] row) => ContextSize > 0 && row is not null && row.Length > ContextSize ? row[^ContextSize..] : row!;

    /// <summary>The key of <paramref name="word"/>: its own, else "&lt;unk&gt;"'s, else 0 (read as a zero embedding).</summary>
    public uint KeyOf(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        return _keys.TryGetValue(word, out uint k) ? k : _keys.GetValueOrDefault("<unk>");
    }

    private string WordOf(uint key) => Vocabulary is null ? $"#{key}" : Vocabulary[(int)key - 1];

    private uint[] Keys(IReadOnlyList<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        if (words.Count == 0) throw new ArgumentException("The context is empty; give at least one word.", nameof(words));
        return words.Select(KeyOf).ToArray();
    }

    /// <summary>The <paramref name="k"/> most probable next words after <paramref name="context"/>, most probable first.</summary>
    public IReadOnlyList<WordProbability> PredictNext(IReadOnlyList<string> context, int k = 5) => PredictNextFromKeys(Keys(context), k);

    /// <summary>The <paramref name="k"/> most probable next words after a context of keys (e.g. from the pipeline's featurizer).</summary>
    public IReadOnlyList<WordProbability> PredictNextFromKeys(uint[] contextKeys, int k = 5)
    {
        ArgumentNullException.ThrowIfNull(contextKeys);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        var p = Score([contextKeys])[0];
        return Enumerable.Range(0, p.Length).OrderByDescending(i => p[i]).ThenBy(i => i).Take(k)
            .Select(i => new WordProbability(WordOf((uint)(i + 1)), (uint)(i + 1), p[i])).ToList();
    }

    /// <summary>
    /// Extends <paramref name="prompt"/> by up to <paramref name="maxWords"/> words, each drawn from
    /// softmax(log p / <paramref name="temperature"/>) (temperature 0: always the most probable word);
    /// stops after <paramref name="stopWord"/> when given. Same seed, same text.
    /// </summary>
    public IReadOnlyList<string> Generate(IReadOnlyList<string> prompt, int maxWords, double temperature = 1, int seed = 0, string? stopWord = null) =>
        GenerateFromKeys(Keys(prompt), maxWords, temperature, seed, stopWord);

    /// <summary>As the word overload, from a prompt of keys (e.g. from the pipeline's featurizer).</summary>
    public IReadOnlyList<string> GenerateFromKeys(uint[] promptKeys, int maxWords, double temperature = 1, int seed = 0, string? stopWord = null)
    {
        ArgumentNullException.ThrowIfNull(promptKeys);
        ArgumentOutOfRangeException.ThrowIfNegative(maxWords);
        if (!(temperature >= 0) || double.IsInfinity(temperature)) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "Must be finite and non-negative.");
        if (promptKeys.Length == 0) throw new ArgumentException("The prompt is empty; give at least one word.", nameof(promptKeys));
        var keys = promptKeys.ToList();
        var words = new List<string>();
        var random = new Random(seed);
        for (int n = 0; n < maxWords; n++)
        {
            var p = Score([keys.ToArray()])[0];
            int next = Sample(p, temperature, random);
            keys.Add((uint)(next + 1));
            words.Add(WordOf((uint)(next + 1)));
            if (stopWord is not null && words[^1] == stopWord) break;
        }
        return words;
    }

    private static int Sample(float[] p, double temperature, Random random)
    {
        int best = 0;
        for (int i = 1; i < p.Length; i++) if (p[i] > p[best]) best = i;
        if (temperature == 0) return best;
        var w = new double[p.Length];
        double sum = 0;
        for (int i = 0; i < p.Length; i++) sum += w[i] = Math.Exp((Math.Log(Math.Max(p[i], 1e-30f)) - Math.Log(p[best])) / temperature);
        double u = random.NextDouble() * sum;
        for (int i = 0; i < w.Length; i++) if ((u -= w[i]) <= 0) return i;
        return best;
    }

    /// <summary>Perplexity and top-1/top-5 accuracy over every next-word example of the sentences in <paramref name="data"/>'s token column.</summary>
    public LanguageModelMetrics Evaluate(IDataView data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var examples = LanguageModelExamples.FromSentences(LanguageModelExamples.Sentences(data, TokensColumnName, ComponentName), ContextSize);
        return LanguageModelMetrics.Of(Network, examples, TokensColumnName);
    }

    /// <inheritdoc/>
    public override void Save(ModelSaveContext context)
    {
        SaveColumns(context);
        context.Options["contextSize"] = ContextSize;
        if (Vocabulary is not null) context.Options["vocabulary"] = new JsonArray(Vocabulary.Select(n => (JsonNode?)JsonValue.Create(n)).ToArray());
        SequenceNetworkPersistence.Save(context, Network);
    }

    internal static NextWordPredictionTransformer Load(ModelLoadContext c)
    {
        c.RequireVersion(1);
        var net = SequenceNetworkPersistence.Load(c);
        int context = c.GetInt("contextSize");
        if (context < 0) throw c.Error("contextSize", "must be non-negative.");
        string[]? vocabulary = c.Has("vocabulary") ? c.GetStringArray("vocabulary") : null;
        return new NextWordPredictionTransformer(net, c.GetString("tokensColumn"), c.GetString("scoreColumn"), c.GetString("predictedLabelColumn"), vocabulary, context);
    }
}
