using System.Globalization;
using MLNetDeep.Estimators.Word2Vec;

namespace MLNetDeep.Bench;

/// <summary>
/// `word2vec`: trains word vectors on small_parallel_enja/train.ja (dim 100, window 5, negative 5, min count 5,
/// 5 epochs, 2 threads) with ours and with gensim (tools/oracles/word2vec_oracle.py --peer, 2 workers), CBOW
/// then skip-gram, in one run. Speed = in-vocabulary corpus words × epochs / training seconds (vocabulary pass
/// excluded on both sides). Prints `word2vec-cbow: ...` and, last, `word2vec: ours=... peer=... ratio=...`
/// (skip-gram). A `... per CPU-second` line per architecture divides the same words by the process CPU time
/// (vocabulary pass + training, all threads), which a loaded machine disturbs less than wall time. Options: --corpus FILE, --threads N, --epochs N, --repeats N (median of N runs each, default 1).
/// </summary>
public static class Word2VecSuite
{
    public static int Run(string[] args)
    {
        string? corpus = null;
        int threads = 2, epochs = 5, repeats = 1;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--corpus": corpus = args[++i]; break;
                case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--epochs": epochs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--repeats": repeats = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }
        corpus ??= FindCorpus();
        if (corpus is null || !File.Exists(corpus))
        {
            Console.Error.WriteLine("train.ja not found: pass --corpus or set MLNETDEEP_ENJA_DIR");
            return 2;
        }
        var lines = new List<string>();
        foreach (var (arch, sg, label) in new[] { (Word2VecArchitecture.Cbow, 0, "word2vec-cbow"), (Word2VecArchitecture.SkipGram, 1, "word2vec") })
        {
            var ours = new List<double>();
            var peer = new List<double>();
            var oursCpu = new List<double>();
            var peerCpu = new List<double>();
            for (int r = 0; r < repeats; r++)
            {
                var (wall, cpu) = Ours(corpus, arch, threads, epochs);
                ours.Add(wall);
                oursCpu.Add(cpu);
                var result = Peer.Run("word2vec_oracle.py", $"--peer {corpus} sg={sg} vector_size=100 window=5 negative=5 min_count=5 epochs={epochs} workers={threads} seed=1", threads, out var failure);
                if (result is null)
                {
                    Console.Error.WriteLine($"peer failed: {failure}");
                    return 1;
                }
                peer.Add(double.Parse(result["words_per_s"], CultureInfo.InvariantCulture));
                peerCpu.Add(double.Parse(result["words_per_cpu_s"], CultureInfo.InvariantCulture));
                Console.WriteLine(FormattableString.Invariant(
                    $"{arch}: ours {ours[^1]:F0} words/s ({oursCpu[^1]:F0} per CPU-second), gensim {peer[^1]:F0} words/s ({peerCpu[^1]:F0} per CPU-second)"));
            }
            double o = Peer.Median(ours), p = Peer.Median(peer), oc = Peer.Median(oursCpu), pc = Peer.Median(peerCpu);
            Console.WriteLine(FormattableString.Invariant($"{label} per CPU-second: ours={oc:F0} peer={pc:F0} ratio={oc / pc:F2}"));
            lines.Add(FormattableString.Invariant($"{label}: ours={o:F0} peer={p:F0} ratio={o / p:F2}"));
        }
        foreach (var l in lines) Console.WriteLine(l);
        return 0;
    }

    // (words/s over the training wall time, words per CPU-second of the vocabulary pass plus training).
    private static (double Wall, double Cpu) Ours(string corpus, Word2VecArchitecture arch, int threads, int epochs)
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        long words = 0;
        var ctx = new DeepContext(seed: 1);
        var text = ctx.Data.LoadFromTextLines(corpus);
        double wordsPerSecond = 0;
        var options = new Word2VecOptions
        {
            Architecture = arch, VectorSize = 100, Window = 5, NegativeSamples = 5, MinCount = 5, NumberOfEpochs = epochs,
            NumberOfThreads = threads, Seed = 1, Progress = new ProgressSink(p =>
            {
                if (!p.IsEpochEnd) return;
                wordsPerSecond = p.WordsPerSecond;
                words = p.WordsProcessed;
            }),
        };
        ctx.Transforms.Text.TokenizeIntoWords("Tokens", "Text").Append(ctx.Transforms.Text.TrainWord2Vec("Features", "Tokens", options)).Fit(text);
        process.Refresh();
        return (wordsPerSecond, words / (process.TotalProcessorTime - cpu0).TotalSeconds);
    }

    private static string? FindCorpus()
    {
        if (Environment.GetEnvironmentVariable("MLNETDEEP_ENJA_DIR") is { Length: > 0 } dir) return Path.Combine(dir, "train.ja");
        for (var d = new DirectoryInfo(MLNetDeep.Bench.Peer.RepoRoot()); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "shared", "data", "small_parallel_enja", "train.ja");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    private sealed class ProgressSink(Action<Word2VecProgress> action) : IProgress<Word2VecProgress>
    {
        public void Report(Word2VecProgress value) => action(value);
    }
}
