using System.Globalization;
using MLNetDeep.Data;
using MLNetDeep.Estimators.Translation;
using MLNetDeep.Tensors.Kernels;

namespace MLNetDeep.Bench;

/// <summary>
/// `seq2seq`: training throughput of the course's translator (GRU 256/256 encoder–decoder, Luong dot attention
/// after the decoder RNN, batch 64 length-bucketed, Adam 1e-3, clipping 5) on small_parallel_enja en→ja, ours vs
/// tools/oracles/seq2seq_peer.py (the same model in PyTorch 1.13), both with 2 threads, in tokens/s (source +
/// target tokens incl. &lt;/s&gt;) over the epochs' training steps. Options: --data DIR, --pairs N (first N
/// training pairs; default all 50k), --epochs E (default 1), --eval (also greedy test BLEU of both after training).
/// </summary>
public static class Seq2SeqSuite
{
    private const int Threads = 2;

    public static int Run(string[] args)
    {
        string? data = null;
        int pairs = 0, epochs = 1;
        bool eval = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--data": data = args[++i]; break;
                case "--pairs": pairs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--epochs": epochs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--eval": eval = true; break;
                default: Console.Error.WriteLine($"seq2seq: unknown option {args[i]}"); return 2;
            }
        }
        data ??= FindCorpus();
        if (data is null) { Console.Error.WriteLine("seq2seq: small_parallel_enja not found; pass --data DIR"); return 2; }
        var inv = CultureInfo.InvariantCulture;
        Parallelism.NumThreads = Threads;

        var peer = Peer.Run("seq2seq_peer.py", $"--data {data} --threads {Threads} --epochs {epochs}{(pairs > 0 ? $" --pairs {pairs}" : "")}{(eval ? " --eval" : "")}", Threads, out var failure);
        if (peer is null) Console.WriteLine($"peer unavailable: {failure}");
        double theirs = peer is not null && peer.TryGetValue("tokens_per_s", out var t) ? double.Parse(t, inv) : double.NaN;
        if (peer is not null) Console.WriteLine($"peer: {string.Join(" ", peer.Select(kv => $"{kv.Key}={kv.Value}"))}");

        var ctx = new DeepContext(seed: 0);
        var train = Pairs(ctx, Path.Combine(data, "train.en"), Path.Combine(data, "train.ja"), pairs);
        var trainer = ctx.Translation.Trainers.Seq2Seq(new Seq2SeqOptions { NumberOfEpochs = epochs, Seed = 0, ProgressInterval = 0, ValidationBleu = false });
        ctx.Log += (_, e) => Console.WriteLine($"ours: {e.Message}");
        var model = trainer.Fit(train);
        double tokens = model.TrainingHistory.Sum(h => h.TokensPerSecond * h.Seconds), seconds = model.TrainingHistory.Sum(h => h.Seconds);
        double ours = tokens / seconds;
        if (eval)
        {
            var test = Pairs(ctx, Path.Combine(data, "test.en"), Path.Combine(data, "test.ja"), 0);
            var metrics = ctx.Translation.Evaluate(model.Transform(test), "Target", "Translation");
            Console.WriteLine($"ours: test {metrics} after {epochs} epoch(s); peer bleu={peer?.GetValueOrDefault("bleu") ?? "n/a"}");
        }
        Console.WriteLine($"ours: seconds={seconds.ToString("F2", inv)} loss={model.TrainingHistory[^1].TrainLoss.ToString("F4", inv)}");
        Console.WriteLine($"seq2seq: ours={ours.ToString("F1", inv)} peer={theirs.ToString("F1", inv)} ratio={(ours / theirs).ToString("F2", inv)}");
        return 0;
    }

    private static IDataView Pairs(DeepContext ctx, string source, string target, int take)
    {
        if (take <= 0) return ctx.Data.LoadFromParallelText(source, target, "Source", "Target");
        var rows = File.ReadLines(source).Zip(File.ReadLines(target)).Take(take).Select(p => new PairRow { Source = p.First, Target = p.Second }).ToList();
        return ctx.Data.LoadFromEnumerable(rows);
    }

    private sealed class PairRow
    {
        public string Source { get; set; } = "";
        public string Target { get; set; } = "";
    }

    private static string? FindCorpus()
    {
        for (var d = new DirectoryInfo(Peer.RepoRoot()); d is not null; d = d.Parent)
        {
            string c = Path.Combine(d.FullName, "shared", "data", "small_parallel_enja");
            if (File.Exists(Path.Combine(c, "train.en"))) return c;
        }
        return null;
    }
}
