using MLNetDeep.Tests.Oracles;
using NUnit.Framework;

namespace MLNetDeep.Tests.Translation;

/// <summary>Locates the small_parallel_enja corpus and makes tiny synthetic parallel corpora.</summary>
public static class TranslationTestData
{
    /// <summary>Environment variable naming the corpus folder.</summary>
    public const string CorpusEnvVar = "MLNETDEEP_ENJA_DIR";

    /// <summary>
    /// The folder with train/dev/test .en/.ja: <see cref="CorpusEnvVar"/>, else shared/data/small_parallel_enja
    /// beside the repository root or one of its ancestors (../shared from the main checkout, ../../shared from a worktree).
    /// </summary>
    public static string? CorpusDirectory()
    {
        if (Environment.GetEnvironmentVariable(CorpusEnvVar) is { Length: > 0 } env) return File.Exists(Path.Combine(env, "test.ja")) ? env : null;
        for (var dir = TorchOracle.FindRepoRoot() is { } root ? new DirectoryInfo(root) : null; dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "data", "small_parallel_enja");
            if (File.Exists(Path.Combine(candidate, "test.ja"))) return candidate;
        }
        return null;
    }

    /// <summary>Ignores the test (fails it with MLNETDEEP_REQUIRE_ORACLES=1) for missing data.</summary>
    public static void IgnoreOrFail(string reason) => OracleProcess.FailOrIgnore("small_parallel_enja corpus", reason, $"set {CorpusEnvVar}");

    /// <summary>
    /// A toy translation task: the target is the source reversed with each word mapped to an upper-case
    /// twin ("a b c" → "C B A"), lengths 2–6 over a few words. Learnable by a tiny attention model in seconds.
    /// </summary>
    public static List<PairRow> ReversedUpper(int count, int seed, int words = 8)
    {
        var rng = new Random(seed);
        var rows = new List<PairRow>(count);
        for (int i = 0; i < count; i++)
        {
            var src = Enumerable.Range(0, rng.Next(2, 7)).Select(_ => ((char)('a' + rng.Next(words))).ToString()).ToArray();
            rows.Add(new PairRow { Source = string.Join(' ', src), Target = string.Join(' ', src.Reverse().Select(w => w.ToUpperInvariant())) });
        }
        return rows;
    }
}

/// <summary>One parallel sentence pair.</summary>
public sealed class PairRow
{
    public string Source { get; set; } = "";
    public string Target { get; set; } = "";
}

/// <summary>A translated row.</summary>
public sealed class TranslatedRow
{
    public string Source { get; set; } = "";
    public string Target { get; set; } = "";
    public string Translation { get; set; } = "";
}

/// <summary>A row whose source column is not text.</summary>
public sealed class NumericSourceRow
{
    public float Source { get; set; }
    public string Target { get; set; } = "";
}
