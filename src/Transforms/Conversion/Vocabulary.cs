namespace MLNetDeep.Conversion;

/// <summary>
/// An ordered list of distinct strings with their key ids: term i (zero-based) has key i + 1; key 0 is
/// "missing". Special tokens come first, then the counted terms by decreasing count (ties by first
/// occurrence), limited by a minimum count and a maximum size.
/// </summary>
public sealed class Vocabulary
{
    private readonly string[] _terms;
    private readonly Dictionary<string, uint> _keys;

    /// <summary>Creates a vocabulary from terms in key order (must be distinct).</summary>
    /// <exception cref="ArgumentException">A term is repeated or null.</exception>
    public Vocabulary(IEnumerable<string> terms, string? unknownToken = null)
    {
        ArgumentNullException.ThrowIfNull(terms);
        _terms = [.. terms];
        _keys = new Dictionary<string, uint>(_terms.Length, StringComparer.Ordinal);
        for (int i = 0; i < _terms.Length; i++)
        {
            if (_terms[i] is null) throw new ArgumentException($"Vocabulary term {i} is null.", nameof(terms));
            if (!_keys.TryAdd(_terms[i], (uint)i + 1)) throw new ArgumentException($"Vocabulary term '{_terms[i]}' appears twice.", nameof(terms));
        }
        if (unknownToken is not null && !_keys.ContainsKey(unknownToken))
            throw new ArgumentException($"The unknown token '{unknownToken}' is not in the vocabulary.", nameof(unknownToken));
        UnknownToken = unknownToken;
    }

    /// <summary>Terms in key order (key = index + 1).</summary>
    public IReadOnlyList<string> Terms => _terms;

    /// <summary>Number of terms (the key count).</summary>
    public int Count => _terms.Length;

    /// <summary>Term that unseen values map to, or null (unseen values map to key 0, missing).</summary>
    public string? UnknownToken { get; }

    /// <summary>Key of <paramref name="term"/>: its id, else the unknown token's id, else 0.</summary>
    public uint GetKey(string term) =>
        _keys.TryGetValue(term, out uint k) ? k : UnknownToken is null ? 0u : _keys[UnknownToken];

    /// <summary>Term of key <paramref name="key"/>, or the empty string for 0 or out of range.</summary>
    public string GetTerm(uint key) => key >= 1 && key <= (uint)_terms.Length ? _terms[key - 1] : string.Empty;

    /// <summary>Builds a vocabulary from streamed term counts.</summary>
    /// <param name="counts">Term → count, with first-occurrence order (as a <see cref="VocabularyCounter"/> keeps it).</param>
    /// <param name="options">Limits and special tokens.</param>
    public static Vocabulary Build(VocabularyCounter counts, ValueToKeyMappingOptions options)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(options);
        var special = options.SpecialTokens ?? [];
        var terms = new List<string>(special);
        var taken = new HashSet<string>(special, StringComparer.Ordinal);
        if (options.UnknownToken is { } unk && taken.Add(unk)) terms.Add(unk);
        int max = options.MaximumNumberOfKeys;
        IEnumerable<(string Term, long Count, long First)> ordered = counts.Entries
            .Where(e => e.Count >= options.MinimumCount && !taken.Contains(e.Term));
        ordered = options.KeyOrdinality == KeyOrdinality.ByFrequency
            ? ordered.OrderByDescending(e => e.Count).ThenBy(e => e.First)
            : options.KeyOrdinality == KeyOrdinality.ByValue ? ordered.OrderBy(e => e.Term, StringComparer.Ordinal) : ordered.OrderBy(e => e.First);
        foreach (var e in ordered)
        {
            if (terms.Count >= max) break;
            terms.Add(e.Term);
        }
        return new Vocabulary(terms, options.UnknownToken);
    }
}

/// <summary>Counts terms as they stream by (memory grows with the number of distinct terms only).</summary>
public sealed class VocabularyCounter
{
    private readonly Dictionary<string, (long Count, long First)> _counts = new(StringComparer.Ordinal);

    /// <summary>Counts one occurrence.</summary>
    public void Add(string term)
    {
        ArgumentNullException.ThrowIfNull(term);
        ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_counts, term, out bool exists);
        if (!exists) slot.First = _counts.Count;
        slot.Count++;
    }

    /// <summary>Number of distinct terms seen.</summary>
    public int DistinctCount => _counts.Count;

    /// <summary>Total occurrences seen.</summary>
    public long TotalCount => _counts.Values.Sum(v => v.Count);

    /// <summary>The counts, with each term's first-occurrence rank.</summary>
    public IEnumerable<(string Term, long Count, long First)> Entries => _counts.Select(kv => (kv.Key, kv.Value.Count, kv.Value.First));
}
