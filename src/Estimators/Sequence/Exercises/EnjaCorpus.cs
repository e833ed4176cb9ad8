using MLNetDeep.Conversion;
using MLNetDeep.Data;

namespace MLNetDeep.Estimators.Sequence.Exercises;

/// <summary>A row of English text (the exercises' input).</summary>
public sealed class SentenceRow
{
    /// <summary>The sentence (already lower-cased and space-tokenized in small_parallel_enja).</summary>
    public string Text { get; set; } = "";

    /// <summary>A label (only for classification).</summary>
    public string Label { get; set; } = "";
}

/// <summary>The small_parallel_enja corpus the course uses: where it is and how its English side is read.</summary>
public static class EnjaCorpus
{
    /// <summary>Environment variable naming the corpus directory.</summary>
    public const string EnvironmentVariable = "MLNETDEEP_ENJA_DIR";

    /// <summary>
    /// The corpus directory: <see cref="EnvironmentVariable"/> when set, else the first
    /// <c>shared/data/small_parallel_enja</c> found walking up from <paramref name="start"/> (default: the
    /// current directory), so <c>../shared/data/small_parallel_enja</c> next to the repository is found; null if absent.
    /// </summary>
    public static string? Locate(string? start = null)
    {
        string? env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(env)) return Directory.Exists(env) ? env : null;
        for (var dir = new DirectoryInfo(start ?? Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "data", "small_parallel_enja");
            if (File.Exists(Path.Combine(candidate, "train.en"))) return candidate;
        }
        return null;
    }

    /// <summary>The first <paramref name="maxLines"/> non-empty lines of <paramref name="path"/>.</summary>
    public static List<string> ReadLines(string path, int maxLines = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Corpus file '{path}' not found.", path);
        return File.ReadLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).Take(maxLines).ToList();
    }

    /// <summary>Word tokens → keys (most frequent <paramref name="maxVocabulary"/> − 1 words plus "&lt;unk&gt;") for column Text → Tokens.</summary>
    public static EstimatorChain<ValueToKeyMappingTransformer> Featurizer(DeepContext ctx, int maxVocabulary)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        return ctx.Transforms.Text.TokenizeIntoWords("Words", "Text")
            .Append(ctx.Transforms.Conversion.MapValueToKey("Tokens", "Words", new ValueToKeyMappingOptions { MaximumNumberOfKeys = maxVocabulary, UnknownToken = "<unk>" }));
    }
}
