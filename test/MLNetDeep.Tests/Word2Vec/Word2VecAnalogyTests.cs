using MLNetDeep.Estimators.Word2Vec;
using NUnit.Framework;

namespace MLNetDeep.Tests.Word2Vec;

/// <summary>
/// The course's exercise on train.ja (50k tokenized Japanese sentences), 32-dim vectors: 父 − 男 + 女 ranks 母
/// first, for CBOW and for skip-gram, with a fixed seed and one thread (reproducible). The settings are in
/// docs/word2vec.md.
/// </summary>
public class Word2VecAnalogyTests
{
    internal static Word2VecOptions CourseOptions(Word2VecArchitecture arch) => arch == Word2VecArchitecture.SkipGram
        ? new() { Architecture = arch, VectorSize = 32, Window = 2, MinCount = 5, NumberOfEpochs = 5, NumberOfThreads = 1, Seed = 2 }
        : new() { Architecture = arch, VectorSize = 32, Window = 1, MinCount = 5, NumberOfEpochs = 5, NumberOfThreads = 1, Seed = 1 };

    [TestCase(Word2VecArchitecture.Cbow)]
    [TestCase(Word2VecArchitecture.SkipGram)]
    public void FatherMinusManPlusWoman_IsMother(Word2VecArchitecture arch)
    {
        string corpus = Word2VecTestData.RequireTrainJa();
        var model = Word2VecTestData.Train(corpus, CourseOptions(arch)).Model;
        var answers = model.MostSimilar(["父", "女"], ["男"], 5);
        TestContext.Out.WriteLine($"{arch}: {string.Join(" ", answers.Select(a => FormattableString.Invariant($"{a.Word}:{a.Similarity:F3}")))}");
        Assert.That(answers[0].Word, Is.EqualTo("母"), string.Join(", ", answers.Select(a => a.Word)));
        Assert.That(answers.Select(a => a.Word), Has.None.AnyOf("父", "女", "男"), "query words are excluded");
    }
}
