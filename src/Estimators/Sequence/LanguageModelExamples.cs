using MLNetDeep.Data;
using MLNetDeep.Estimators.Text;

namespace MLNetDeep.Estimators.Sequence;

/// <summary>
/// Turns sentences (key-id rows) into next-word examples: for every position t ≥ 1 whose key is known
/// (non-zero), the context is the previous min(t, contextSize) keys (all t of them when contextSize is 0)
/// and the target is key t − 1 (zero-based).
/// </summary>
internal static class LanguageModelExamples
{
    public static List<SequenceExample> FromSentences(IEnumerable<uint[]> sentences, int contextSize)
    {
        var examples = new List<SequenceExample>();
        foreach (var s in sentences)
            for (int t = 1; t < s.Length; t++)
            {
                if (s[t] == 0) continue;
                int from = contextSize == 0 ? 0 : Math.Max(0, t - contextSize);
                examples.Add(new SequenceExample(s[from..t], s[t] - 1));
            }
        return examples;
    }

    /// <summary>The token rows of <paramref name="column"/> in <paramref name="data"/>.</summary>
    public static IEnumerable<uint[]> Sentences(IDataView data, string column, string component)
    {
        var c = TokenColumns.Tokens(data.Schema, column, component);
        using var cursor = data.GetRowCursor([c]);
        while (cursor.MoveNext()) yield return cursor.GetValue<uint[]>(c);
    }
}
