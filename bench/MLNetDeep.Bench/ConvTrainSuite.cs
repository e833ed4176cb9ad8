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

    /// <summary>Forward+backward time of single ops at the shapes of the second block (16→96→24, stride 2, 32×32 input).</summary>
    private static void ProfileOps(Generator g)
    {
        OpTiming.Time("stem conv 3x3 s2 3->32", x => F.Conv2d(x[0], x[1], null, stride: 2, padding: 1), Tensor.Randn([Batch, 3, 64, 64], g), Tensor.Randn([32, 3, 3, 3], g));
        OpTiming.Time("pointwise 16->96 @32", x => F.Conv2d(x[0], x[1]), Tensor.Randn([Batch, 16, 32, 32], g), Tensor.Randn([96, 16, 1, 1], g));
        OpTiming.Time("depthwise 96 s2 @32", x => F.Conv2d(x[0], x[1], null, stride: 2, padding: 1, groups: 96), Tensor.Randn([Batch, 96, 32, 32], g), Tensor.Randn([96, 1, 3, 3], g));
        OpTiming.Time("depthwise 144 s1 @16", x => F.Conv2d(x[0], x[1], null, stride: 1, padding: 1, groups: 144), Tensor.Randn([Batch, 144, 16, 16], g), Tensor.Randn([144, 1, 3, 3], g));
        OpTiming.Time("pointwise 96->24 @16", x => F.Conv2d(x[0], x[1]), Tensor.Randn([Batch, 96, 16, 16], g), Tensor.Randn([24, 96, 1, 1], g));
        OpTiming.Time("batchnorm train 96 @32", x => F.BatchNorm(x[0], null, null, x[1], x[2], training: true), Tensor.Randn([Batch, 96, 32, 32], g), Tensor.Ones([96]), Tensor.Zeros([96]));
        OpTiming.Time("relu6 96 @32", x => F.Relu6(x[0]), Tensor.Randn([Batch, 96, 32, 32], g));
        OpTiming.Time("add 24 @16", x => x[0].Add(x[1]), Tensor.Randn([Batch, 24, 16, 16], g), Tensor.Randn([Batch, 24, 16, 16], g));
    }

    public static int Run(string[] args)
    {
        Parallelism.NumThreads = Threads;
        bool profile = args.Contains("--profile");
        double theirs = profile ? double.NaN
            : StepTiming.PeerStepsPerSecond("conv_train_peer.py", $"--threads {Threads} --batch {Batch} --steps {StepsPerBlock} --repeats {Blocks}", Threads);

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
        if (profile)
        {
            // Phase split of a step (forward, backward, update), 5 steps.
            double fwd = 0, bwd = 0, upd = 0;
            for (int i = 0; i < 5; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                optimizer.ZeroGrad();
                var loss = F.CrossEntropy(model.Forward(x), y);
                var t1 = Stopwatch.GetTimestamp();
                loss.Backward();
                var t2 = Stopwatch.GetTimestamp();
                optimizer.Step();
                var t3 = Stopwatch.GetTimestamp();
                fwd += Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds;
                bwd += Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds;
                upd += Stopwatch.GetElapsedTime(t2, t3).TotalMilliseconds;
            }
            Console.WriteLine(FormattableString.Invariant($"profile (ms/step): forward {fwd / 5:F1}, backward {bwd / 5:F1}, update {upd / 5:F1}"));
            ProfileOps(g);
        }
        var rates = StepTiming.Measure(Step, warmup: 0, Blocks, StepsPerBlock);
        StepTiming.Report("conv-train", rates, theirs, rateFormat: "F2", valueFormat: "F3");
        return 0;
    }
}
