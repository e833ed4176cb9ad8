using System.Diagnostics;
using System.Globalization;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Kernels;
using MLNetDeep.Tensors.Nn;
using MLNetDeep.Tensors.Optim;

namespace MLNetDeep.Bench;

/// <summary>
/// `mlp-train`: one training step (zero-grad, forward, cross-entropy, backward, Adam) of a
/// 784-1024-1024-10 ReLU MLP on a batch of 256, ours vs PyTorch 1.13, both with 2 threads.
/// </summary>
public static class MlpTrainSuite
{
    private const int Threads = 2, Batch = 256, StepsPerBlock = 20, Blocks = 5;

    public static int Run(string[] args)
    {
        Parallelism.NumThreads = Threads;
        var peer = Peer.Run("mlp_train_peer.py", $"--threads {Threads} --batch {Batch} --steps {StepsPerBlock} --repeats {Blocks}", Threads, out var failure);
        if (peer == null) Console.WriteLine($"peer unavailable: {failure}");
        double theirs = peer != null && peer.TryGetValue("steps_per_s", out var s) ? double.Parse(s, CultureInfo.InvariantCulture) : double.NaN;

        var g = new Generator(0);
        var model = new Sequential(new Linear(784, 1024, generator: g), new ReLU(), new Linear(1024, 1024, generator: g), new ReLU(), new Linear(1024, 10, generator: g));
        var optimizer = new Adam(model.Parameters(), learningRate: 1e-3);
        var x = Tensor.Randn([Batch, 784], g);
        var y = Tensor.RandInt([Batch], 0, 10, g);

        void Step()
        {
            optimizer.ZeroGrad();
            var loss = F.CrossEntropy(model.Forward(x), y);
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
        Console.WriteLine(FormattableString.Invariant($"mlp-train: ours={ours:F2} peer={theirs:F2} ratio={ours / theirs:F2}"));
        return 0;
    }
}
