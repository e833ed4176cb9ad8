using MLNetDeep.Conversion;

namespace MLNetDeep.Estimators.Translation;

/// <summary>
/// A <see cref="Vocabulary"/> with the translator's special tokens first: id 0 &lt;pad&gt;, 1 &lt;s&gt;,
/// 2 &lt;/s&gt;, 3 &lt;unk&gt; (id = key − 1). Unknown words map to &lt;unk&gt;.
/// </summary>
public sealed class TranslationVocabulary
{
    /// <summary>Padding id.</summary>
    public const int Pad = 0;
    /// <summary>Start-of-sentence id.</summary>
    public const int Bos = 1;
    /// <summary>End-of-sentence id.</summary>
    public const int Eos = 2;
    /// <summary>Unknown-word id.</summary>
    public const int Unk = 3;

    /// <summary>The special tokens in id order.</summary>
    public static readonly IReadOnlyList<string> Specials = ["<pad>", "<s>", "</s>", "<unk>"];

    /// <summary>Wraps a vocabulary whose first four terms are <see cref="Specials"/>.</summary>
    /// <exception cref="ArgumentException">The specials are missing or out of place.</exception>
    public TranslationVocabulary(Vocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (vocabulary.Count < Specials.Count || !vocabulary.Terms.Take(Specials.Count).SequenceEqual(Specials))
            throw new ArgumentException($"A translation vocabulary must start with {string.Join(" ", Specials)}.", nameof(vocabulary));
        Vocabulary = vocabulary;
    }

    /// <summary>The underlying vocabulary.</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>Number of ids.</summary>
    public int Count => Vocabulary.Count;

    /// <summary>Builds a vocabulary from token sequences, keeping words seen at least <paramref name="minimumCount"/> times (most frequent first).</summary>
    public static TranslationVocabulary Build(IEnumerable<IReadOnlyList<string>> sentences, int minimumCount)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        var counter = new VocabularyCounter();
        foreach (var s in sentences)
            foreach (var w in s) counter.Add(w);
        return new TranslationVocabulary(Vocabulary.Build(counter, new ValueToKeyMappingOptions { SpecialTokens = Specials, UnknownToken = "<unk>", MinimumCount = minimumCount }));
    }

    /// <summary>Ids of the tokens (unknown words → <see cref="Unk"/>).</summary>
    public int[] Encode(IReadOnlyList<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var ids = new int[tokens.Count];
        for (int i = 0; i < ids.Length; i++) ids[i] = (int)Vocabulary.GetKey(tokens[i]) - 1;
        return ids;
    }

    /// <summary>Tokens of the ids, stopping at the first end-of-sentence and skipping padding and start tokens.</summary>
    public string[] Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var words = new List<string>();
        foreach (int id in ids)
        {
            if (id == Eos) break;
            if (id == Pad || id == Bos) continue;
            words.Add(Vocabulary.GetTerm((uint)id + 1));
        }
        return [.. words];
    }

    /// <summary>Splits a pre-tokenized sentence on whitespace.</summary>
    public static string[] Tokenize(string? text) => string.IsNullOrEmpty(text) ? [] : text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
}
