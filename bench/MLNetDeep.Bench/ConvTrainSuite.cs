using System.Diagnostics;
using System.Globalization;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Kernels;
using MLNetDeep.Tensors.Nn;
using MLNetDeep.Tensors.Optim;

namespace MLNetDeep.Bench;

/// <summary>
/// `conv-train`: one SGD training step (zero-grad, forward, cross-entropy, backward, update) of a MobileNet-v2-style
/// network (3×3 stride-2 stem, seven inverted residual blocks with strides, 1×1 head, global average pooling,
/// linear classifier) on 3×64×64 images, batch 32, ours vs PyTorch 1.13 (tools/oracles/conv_train_peer.py), 2 threads each.
/// </summary>
public static class ConvTrainSuite
{
    private const int Threads = 2, Batch = 32, StepsPerBlock = 5, Blocks = 5;

    /// <summary>(in, out, stride, expansion) of each inverted residual block, as in the peer.</summary>
    private static readonly (int In, int Out, int Stride, int Expand)[] BlockSpecs =
        [(32, 16, 1, 1), (16, 24, 2, 6), (24, 24, 1, 6), (24, 32, 2, 6), (32, 32, 1, 6), (32, 64, 2, 6), (64, 64, 1, 6)];

    private static Sequential ConvBnRelu6(int cin, int cout, int k, int s, Generator g) =>
        new(new Conv2d(cin, cout, k, s, (k - 1) / 2, bias: false, generator: g), new BatchNorm2d(cout), new ReLU6());

    public static Sequential BuildModel(Generator g)
    {
        var model = new Sequential(ConvBnRelu6(3, 32, 3, 2, g));
        foreach (var (i, o, s, t) in BlockSpecs) model.Append(new InvertedResidual(i, o, s, t, g));
        model.Append(ConvBnRelu6(64, 256, 1, 1, g));
        model.Append(new AdaptiveAvgPool2d(1));
        model.Append(new Flatten());
        model.Append(new Linear(256, 10, generator: g));
        return model;
    }

    public static int Run(string[] args)
    {
        Parallelism.NumThreads = Threads;
        bool profile = args.Contains("--profile");
        string? failure = "skipped (--profile)";
        var peer = profile ? null : Peer.Run("conv_train_peer.py", $"--threads {Threads} --batch {Batch} --steps {StepsPerBlock} --repeats {Blocks}", Threads, out failure);
        if (peer == null && !profile) Console.WriteLine($"peer unavailable: {failure}");
        double theirs = peer != null && peer.TryGetValue("steps_per_s", out var s) ? double.Parse(s, CultureInfo.InvariantCulture) : double.NaN;

        var g = new Generator(0);
        var model = BuildModel(g);
        model.Train();
        var optimizer = new Sgd(model.Parameters(), learningRate: 0.01, momentum: 0.9);
        var x = Tensor.Randn([Batch, 3, 64, 64], g);
        var y = Tensor.RandInt([Batch], 0, 10, g);

        void Step()
        {
            optimizer.ZeroGrad();
            var loss = F.CrossEntropy(model.Forward(x), y);
            loss.Backward();
            optimizer.Step();
        }

        for (int i = 0; i < 3; i++) Step();
        var rates = new List<double>();
        for (int b = 0; b < Blocks; b++)
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < StepsPerBlock; i++) Step();
            rates.Add(StepsPerBlock / sw.Elapsed.TotalSeconds);
        }
        double ours = Peer.Median(rates);
        Console.WriteLine($"per-block steps/s, ours: {string.Join(", ", rates.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))}");
        Console.WriteLine(FormattableString.Invariant($"conv-train: ours={ours:F3} peer={theirs:F3} ratio={ours / theirs:F2}"));
        return 0;
    }
}
