using System.Diagnostics;
using System.Globalization;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Kernels;
using MLNetDeep.Tensors.Nn;

namespace MLNetDeep.Bench;

/// <summary>
/// `attention`: forward + backward of one Transformer encoder layer (d_model 256, 4 heads, feed-forward
/// 1024, dropout 0, batch-first, post-norm, ReLU) on 32 sequences of length 32, ours vs PyTorch 1.13, both with 2 threads.
/// </summary>
public static class AttentionSuite
{
    private const int Threads = 2, Batch = 32, Length = 32, DModel = 256, Heads = 4, FeedForward = 1024, StepsPerBlock = 10, Blocks = 5, Warmup = 10;

    public static int Run(string[] args)
    {
        Parallelism.NumThreads = Threads;
        var peer = Peer.Run("attention_peer.py",
            $"--threads {Threads} --batch {Batch} --length {Length} --d-model {DModel} --heads {Heads} --ff {FeedForward} --steps {StepsPerBlock} --repeats {Blocks} --warmup {Warmup}",
            Threads, out var failure);
        if (peer == null) Console.WriteLine($"peer unavailable: {failure}");
        double theirs = peer != null && peer.TryGetValue("steps_per_s", out var s) ? double.Parse(s, CultureInfo.InvariantCulture) : double.NaN;

        var g = new Generator(0);
        var layer = new TransformerEncoderLayer(DModel, Heads, FeedForward, dropout: 0, batchFirst: true, generator: g);
        var x = Tensor.Randn([Batch, Length, DModel], g);
        var upstream = Tensor.Randn([Batch, Length, DModel], g);

        void Step()
        {
            layer.ZeroGrad();
            layer.Forward(x).Backward(upstream);
        }

        for (int i = 0; i < Warmup; i++) Step();
        var rates = new List<double>();
        for (int b = 0; b < Blocks; b++)
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < StepsPerBlock; i++) Step();
            rates.Add(StepsPerBlock / sw.Elapsed.TotalSeconds);
        }
        double ours = Peer.Median(rates);
        Console.WriteLine($"per-block steps/s, ours: {string.Join(", ", rates.Select(r => r.ToString("F1", CultureInfo.InvariantCulture)))}");
        Console.WriteLine(FormattableString.Invariant($"attention: ours={ours:F2} peer={theirs:F2} ratio={ours / theirs:F2}"));
        return 0;
    }
}
