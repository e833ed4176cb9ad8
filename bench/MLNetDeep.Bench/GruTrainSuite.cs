using System.Diagnostics;
using System.Globalization;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Kernels;
using MLNetDeep.Tensors.Nn;
using MLNetDeep.Tensors.Optim;

namespace MLNetDeep.Bench;

/// <summary>
/// `gru-train`: one training step (zero-grad, forward, loss, backward, Adam) of a GRU encoder,
/// Embedding(8000, 256) → GRU(256 → 256), batch 64, length 20, loss = mean(output ⊙ fixed random target),
/// ours vs PyTorch 1.13, both with 2 threads.
/// </summary>
public static class GruTrainSuite
{
    private const int Threads = 2, Batch = 64, Length = 20, Vocab = 8000, Dim = 256, Hidden = 256, StepsPerBlock = 20, Blocks = 5;

    public static int Run(string[] args)
    {
        Parallelism.NumThreads = Threads;
        var peer = Peer.Run("gru_train_peer.py",
            $"--threads {Threads} --batch {Batch} --length {Length} --vocab {Vocab} --dim {Dim} --hidden {Hidden} --steps {StepsPerBlock} --repeats {Blocks}",
            Threads, out var failure);
        if (peer == null) Console.WriteLine($"peer unavailable: {failure}");
        double theirs = peer != null && peer.TryGetValue("steps_per_s", out var s) ? double.Parse(s, CultureInfo.InvariantCulture) : double.NaN;

        var g = new Generator(0);
        var embedding = new Embedding(Vocab, Dim, generator: g);
        var gru = new GRU(Dim, Hidden, generator: g);
        var optimizer = new Adam(embedding.Parameters().Concat(gru.Parameters()), learningRate: 1e-3);
        var ids = Tensor.RandInt([Length, Batch], 0, Vocab, g);
        var target = Tensor.Randn([Length, Batch, Hidden], g);

        void Step()
        {
            optimizer.ZeroGrad();
            var output = gru.Forward(embedding.Forward(ids));
            var loss = output.Mul(target).Mean();
            loss.Backward();
            optimizer.Step();
        }

        for (int i = 0; i < 5; i++) Step();
        var rates = new List<double>();
        for (int b = 0; b < Blocks; b++)
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < StepsPerBlock; i++) Step();
            rates.Add(StepsPerBlock / sw.Elapsed.TotalSeconds);
        }
        double ours = Peer.Median(rates);
        Console.WriteLine($"per-block steps/s, ours: {string.Join(", ", rates.Select(r => r.ToString("F1", CultureInfo.InvariantCulture)))}");
        Console.WriteLine(FormattableString.Invariant($"gru-train: ours={ours:F2} peer={theirs:F2} ratio={ours / theirs:F2}"));
        return 0;
    }
}
