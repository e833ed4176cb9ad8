using System.Diagnostics;
using MLNetDeep.Estimators.Word2Vec;
using NUnit.Framework;

namespace MLNetDeep.Tests.Word2Vec;

public class Word2VecScratch
{
    [Test, Explicit]
    public void Scratch()
    {
        string corpus = Word2VecTestData.RequireTrainJa();
        foreach (var arch in new[] { Word2VecArchitecture.Cbow })
        foreach (var (win, ep, mc, hs) in new[] { (2, 5, 5, false), (1, 5, 5, false), (3, 10, 5, false), (3, 5, 5, true), (2, 10, 3, false) })
        foreach (int seed in new[] { 1, 2 })
        {
            var sw = Stopwatch.StartNew();
            double wps = 0;
            var t = Word2VecTestData.Train(corpus, new Word2VecOptions { Architecture = arch, VectorSize = 32, Window = win, NumberOfEpochs = ep, MinCount = mc, Seed = seed, NumberOfThreads = 1, HierarchicalSoftmax = hs, NegativeSamples = hs ? 0 : 5,
                Progress = new Progress(p => wps = p.WordsPerSecond) });
            var r = t.Model.MostSimilar(["父", "女"], ["男"], 5);
            TestContext.Out.WriteLine($"{arch} win={win} ep={ep} mc={mc} hs={hs} seed={seed}: {string.Join(" ", r.Select(x => $"{x.Word}:{x.Similarity:F3}"))}  {sw.Elapsed.TotalSeconds:F1}s {wps:F0} w/s");
        }
    }

    private sealed class Progress(Action<Word2VecProgress> a) : IProgress<Word2VecProgress>
    {
        public void Report(Word2VecProgress value) => a(value);
    }
}
