using MLNetDeep.Estimators.Word2Vec;
using NUnit.Framework;

namespace MLNetDeep.Tests.Word2Vec;

/// <summary>The sampling tables: the noise alias table draws count^0.75, the subsampling keeps what the formula says, the Huffman codes are prefix-free and shorter for frequent words.</summary>
public class Word2VecTablesTests
{
    private static readonly long[] Counts = [1000, 500, 200, 100, 50, 10, 5, 1];

    [Test]
    public void NoiseTable_DrawsUnigramToThePower075()
    {
        var t = new Word2VecTables(Counts, new Word2VecOptions { VectorSize = 4, Sample = 1e-3 }, 1);
        var rng = new Word2VecRandom(7);
        var hits = new long[Counts.Length];
        const int draws = 2_000_000;
        for (int d = 0; d < draws; d++)
        {
            ulong r = rng.Next();
            int i = (int)(((r >> 32) * (ulong)Counts.Length) >> 32);
            hits[(uint)r < t.NoiseThreshold![i] ? i : t.NoiseAlias![i]]++;
        }
        double total = Counts.Sum(c => Math.Pow(c, 0.75));
        for (int w = 0; w < Counts.Length; w++)
        {
            double p = Math.Pow(Counts[w], 0.75) / total;
            Assert.That(hits[w] / (double)draws, Is.EqualTo(p).Within(5 * Math.Sqrt(p * (1 - p) / draws) + 1e-6), $"word {w}");
        }
    }

    [Test]
    public void KeepProbabilities_FollowTheSubsamplingFormula()
    {
        var t = new Word2VecTables(Counts, new Word2VecOptions { VectorSize = 4, Sample = 1e-2 }, 1);
        double threshold = 1e-2 * Counts.Sum();
        Assert.That(t.KeepProbability[0], Is.EqualTo((Math.Sqrt(1000 / threshold) + 1) * threshold / 1000).Within(1e-6));
        Assert.That(t.KeepProbability[^1], Is.EqualTo(1f), "rare words are always kept");
        var off = new Word2VecTables(Counts, new Word2VecOptions { VectorSize = 4, Sample = 0 }, 1);
        Assert.That(off.KeepProbability, Is.All.EqualTo(1f));
    }

    [Test]
    public void HuffmanCodes_ArePrefixFree_AndShorterForFrequentWords()
    {
        var tree = HuffmanTree.Build(Counts);
        var codes = Enumerable.Range(0, Counts.Length)
            .Select(w => string.Concat(tree.Codes[tree.Offsets[w]..tree.Offsets[w + 1]].Select(c => (char)('0' + c)))).ToList();
        for (int a = 0; a < codes.Count; a++)
            for (int b = 0; b < codes.Count; b++)
                if (a != b) Assert.That(codes[b].StartsWith(codes[a], StringComparison.Ordinal), Is.False, $"{codes[a]} prefixes {codes[b]}");
        Assert.That(codes[0].Length, Is.LessThanOrEqualTo(codes[^1].Length));
        Assert.That(tree.Points, Is.All.InRange(0, Counts.Length - 2), "inner nodes index rows of the output matrix");
        Assert.That(tree.Points.Where((p, k) => tree.Offsets.Take(Counts.Length).Contains(k)), Is.All.EqualTo(Counts.Length - 2), "every path starts at the root");
    }
}
