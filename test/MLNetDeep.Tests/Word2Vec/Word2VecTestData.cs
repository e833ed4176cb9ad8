using MLNetDeep.Estimators.Word2Vec;
using MLNetDeep.Tests.Oracles;
using NUnit.Framework;

namespace MLNetDeep.Tests.Word2Vec;

/// <summary>Finds the course corpus (small_parallel_enja) and trains models on it for the word2vec tests.</summary>
internal static class Word2VecTestData
{
    public const string EnvVar = "MLNETDEEP_ENJA_DIR";

    /// <summary>train.ja: $MLNETDEEP_ENJA_DIR, else shared/data/small_parallel_enja next to the repository root or one of its parents; null when absent.</summary>
    public static string? FindTrainJa()
    {
        if (Environment.GetEnvironmentVariable(EnvVar) is { Length: > 0 } dir) return Existing(Path.Combine(dir, "train.ja"));
        for (var d = TorchOracle.FindRepoRoot() is { } root ? new DirectoryInfo(root) : null; d is not null; d = d.Parent)
            if (Existing(Path.Combine(d.FullName, "shared", "data", "small_parallel_enja", "train.ja")) is { } found) return found;
        return null;
    }

    /// <summary>train.ja, or the calling test is ignored (failed with MLNETDEEP_REQUIRE_ORACLES=1).</summary>
    public static string RequireTrainJa()
    {
        if (FindTrainJa() is { } path) return path;
        string reason = $"small_parallel_enja/train.ja not found (set {EnvVar} or place it in shared/data next to the repository)";
        if (Environment.GetEnvironmentVariable("MLNETDEEP_REQUIRE_ORACLES") == "1") Assert.Fail(reason);
        Assert.Ignore(reason);
        return "";
    }

    private static string? Existing(string path) => File.Exists(path) ? path : null;

    /// <summary>Trains on a text file (one sentence per line, space-separated tokens) through the pipeline.</summary>
    public static Word2VecTransformer Train(string corpus, Word2VecOptions options, DeepContext? ctx = null)
    {
        ctx ??= new DeepContext(seed: 1);
        var lines = ctx.Data.LoadFromTextLines(corpus);
        var tokens = ctx.Transforms.Text.TokenizeIntoWords("Tokens", "Text").Fit(lines).Transform(lines);
        return ctx.Transforms.Text.TrainWord2Vec("Features", "Tokens", options).Fit(tokens);
    }
}
