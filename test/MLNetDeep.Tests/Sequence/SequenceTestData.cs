using MLNetDeep.Data;
using MLNetDeep.Estimators.Sequence.Exercises;
using MLNetDeep.Tests.Oracles;
using MLNetDeep.Tests.Pipeline;
using NUnit.Framework;

namespace MLNetDeep.Tests.Sequence;

/// <summary>Data for the sequence tests: an order task no bag of words can solve, and the course's corpus.</summary>
public static class SequenceTestData
{
    private static readonly string[] Filler = ["the", "a", "very", "and", "was", "is", "of", "to"];

    /// <summary>
    /// Rows holding both "cat" and "dog" among fillers; the label says which comes first. Every row has
    /// the same words up to order, so only a model that reads the order can beat chance.
    /// </summary>
    public static List<TextRow> Order(int rows, int seed)
    {
        var rng = new Random(seed);
        var list = new List<TextRow>(rows);
        for (int i = 0; i < rows; i++)
        {
            int n = 3 + rng.Next(5);
            var words = Enumerable.Range(0, n).Select(_ => Filler[rng.Next(Filler.Length)]).ToList();
            int a = rng.Next(n + 1);
            words.Insert(a, "cat");
            int b = rng.Next(n + 2);
            words.Insert(b, "dog");
            bool catFirst = words.IndexOf("cat") < words.IndexOf("dog");
            list.Add(new TextRow { Text = string.Join(' ', words), Label = catFirst ? "cat-first" : "dog-first" });
        }
        return list;
    }

    /// <summary>The corpus directory, or the test is ignored (failed with MLNETDEEP_REQUIRE_ORACLES=1).</summary>
    public static string Corpus()
    {
        string? dir = EnjaCorpus.Locate(TestContext.CurrentContext.TestDirectory) ?? EnjaCorpus.Locate();
        if (dir is null) OracleProcess.FailOrIgnore("small_parallel_enja corpus", "not found next to the repository", $"put it at ../shared/data/small_parallel_enja or set {EnjaCorpus.EnvironmentVariable}");
        return dir!;
    }
}
