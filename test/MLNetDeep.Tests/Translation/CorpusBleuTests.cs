using MLNetDeep.Estimators.Translation;
using NUnit.Framework;

namespace MLNetDeep.Tests.Translation;

/// <summary>Our corpus BLEU against nltk's corpus_bleu on random and real hypotheses (one oracle process for the fixture).</summary>
[NonParallelizable]
public class CorpusBleuTests
{
    private BleuOracle _oracle = null!;

    [OneTimeSetUp]
    public void StartOracle() => _oracle = BleuOracle.Start();

    [OneTimeTearDown]
    public void StopOracle() => _oracle?.Dispose();

    private static string[] RandomSentence(Random rng, int vocab, int minLength, int maxLength) =>
        Enumerable.Range(0, rng.Next(minLength, maxLength + 1)).Select(_ => "w" + rng.Next(vocab)).ToArray();

    private static string[] Perturb(Random rng, string[] reference, int vocab)
    {
        var words = reference.ToList();
        int edits = rng.Next(0, 4);
        for (int e = 0; e < edits && words.Count > 0; e++)
        {
            int i = rng.Next(words.Count);
            switch (rng.Next(3))
            {
                case 0: words.RemoveAt(i); break;
                case 1: words[i] = "w" + rng.Next(vocab); break;
                default: words.Insert(i, "w" + rng.Next(vocab)); break;
            }
        }
        return words.ToArray();
    }

    [TestCase(1, 1)]
    [TestCase(2, 1)]
    [TestCase(3, 3)]
    [TestCase(4, 2)]
    public void AgreesWithNltkOnRandomCorpora(int seed, int referencesPerHypothesis)
    {
        var rng = new Random(seed);
        int vocab = 12;
        var hyps = new List<IReadOnlyList<string>>();
        var refs = new List<IReadOnlyList<IReadOnlyList<string>>>();
        for (int i = 0; i < 60; i++)
        {
            var rs = Enumerable.Range(0, referencesPerHypothesis).Select(_ => (IReadOnlyList<string>)RandomSentence(rng, vocab, 1, 15)).ToList();
            refs.Add(rs);
            // Short hypotheses (1–3 tokens) exercise nltk's per-sentence max(1, count) denominators.
            hyps.Add(i % 7 == 0 ? RandomSentence(rng, vocab, 1, 3) : Perturb(rng, (string[])rs[0], vocab));
        }
        var ours = CorpusBleu.Compute(hyps, refs);
        double theirs = _oracle.CorpusBleu(hyps, refs);
        Assert.That(theirs, Is.GreaterThan(0.05), "the fixture has matches at every order");
        Assert.That(ours.Bleu * 100, Is.EqualTo(theirs * 100).Within(0.01));
    }

    [Test]
    public void AgreesWithNltkWhenAnOrderHasNoMatchOrHypothesesAreShort()
    {
        IReadOnlyList<IReadOnlyList<string>> hyps = [["a", "b", "x", "c"], ["d"]];
        IReadOnlyList<IReadOnlyList<IReadOnlyList<string>>> refs = [[["a", "b", "y", "c", "e"]], [["d", "e", "f"]]];
        var ours = CorpusBleu.Compute(hyps, refs);
        Assert.That(ours.Bleu * 100, Is.EqualTo(_oracle.CorpusBleu(hyps, refs) * 100).Within(0.01));
        Assert.That(ours.Bleu, Is.Zero, "no 3-gram matches");
        Assert.That(ours.BrevityPenalty, Is.LessThan(1), "hypotheses are shorter than the references");
    }

    [Test]
    public void AgreesWithNltkOnTheJapaneseTestSet()
    {
        string? dir = TranslationTestData.CorpusDirectory();
        if (dir is null)
        {
            TranslationTestData.IgnoreOrFail("small_parallel_enja not found");
            return;
        }
        var rng = new Random(5);
        var refs = File.ReadLines(Path.Combine(dir, "test.ja")).Take(500).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        var hyps = refs.Select(r => (IReadOnlyList<string>)Perturb(rng, r, 50).Select(w => w.StartsWith('w') ? refs[rng.Next(refs.Count)][0] : w).ToArray()).ToList();
        var refSets = refs.Select(r => (IReadOnlyList<IReadOnlyList<string>>)[r]).ToList();
        var ours = CorpusBleu.Compute(hyps, refSets);
        double theirs = _oracle.CorpusBleu(hyps, refSets);
        Assert.That(theirs, Is.InRange(0.2, 0.95));
        Assert.That(ours.Bleu * 100, Is.EqualTo(theirs * 100).Within(0.01));
    }

    [Test]
    public void IdenticalCorpusScoresOneAndMismatchedCountsThrow()
    {
        IReadOnlyList<IReadOnlyList<string>> s = [["a", "b", "c", "d", "e"]];
        Assert.That(CorpusBleu.Compute(s, s).Bleu, Is.EqualTo(1.0).Within(1e-12));
        Assert.Throws<ArgumentException>(() => CorpusBleu.Compute(s, new List<IReadOnlyList<string>>()));
    }
}
