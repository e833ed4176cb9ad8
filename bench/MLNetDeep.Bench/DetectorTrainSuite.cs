using System.Diagnostics;
using System.Globalization;
using MLNetDeep.Estimators.Vision.Detection;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Kernels;
using MLNetDeep.Tensors.Optim;

namespace MLNetDeep.Bench;

/// <summary>
/// `detector-train`: one Adam training step (zero-grad, forward, SSD multibox loss with hard-negative mining, backward,
/// update) of our object detector (<see cref="SsdNetwork"/> at the defaults of <see cref="ObjectDetectorOptions"/>:
/// input 128, stem width 16, depth 1, top-down path, batch 16; 10 classes; <see cref="SsdLoss"/>) vs the same network and loss written in
/// PyTorch 1.13 (tools/oracles/detector_train_peer.py), 2 threads each. The targets are fixed: 3 synthetic boxes per
/// image (the same 31-bit LCG in both) matched to the default boxes by <see cref="SsdTargetAssigner"/> (the peer:
/// torchvision's SSDMatcher and BoxCoder, the same rule), computed once outside the timed step on both sides, so both
/// time network, loss, backward and update only. Both sides run 10 warm-up steps (meanwhile our per-step code is
/// JIT-compiled and tiered up), then 5 timed blocks of 5 steps, and report the median block. The suite fails (exit
/// code 1) when the peer's parameter or prior count differs from ours. Besides steps/s it prints the process CPU time
/// per step of both sides: with <c>--threads 1</c> on a loaded machine that is the fairer measure (a time-sliced
/// process loses wall time, not CPU time). <c>--threads N</c> (default 2) runs both sides with N threads;
/// <c>--profile</c> prints the phase split of a step, the allocations and single-op timings instead of running the peer
/// (tools/oracles/detector_ops_peer.py prints the same op table for PyTorch). <c>--passive-peer</c> runs the peer with
/// OMP_WAIT_POLICY=PASSIVE: on a loaded machine PyTorch's spinning OpenMP threads otherwise wait for each other (we
/// measured 0.36 instead of 5.4 steps/s at load 6), which makes the ratio meaningless.
/// </summary>
public static class DetectorTrainSuite
{
    private const int DefaultThreads = 2, Batch = 16, InputSize = 128, Width = 16, Depth = 1, Classes = 10, BoxesPerImage = 3, StepsPerBlock = 5, Blocks = 5, Warmup = 10;

    /// <summary>The synthetic boxes (xyxy packed) and labels of each image: the LCG draws of detector_train_peer.py.</summary>
    private static (float[] Boxes, int[] Labels)[] SyntheticBoxes()
    {
        ulong state = 12345;
        double Uniform()
        {
            state = (state * 1103515245 + 12345) % (1UL << 31);
            return state / (double)(1UL << 31);
        }

        var result = new (float[], int[])[Batch];
        for (int i = 0; i < Batch; i++)
        {
            var boxes = new float[4 * BoxesPerImage];
            var labels = new int[BoxesPerImage];
            for (int b = 0; b < BoxesPerImage; b++)
            {
                double w = 16 + 64 * Uniform(), h = 16 + 64 * Uniform();
                double x1 = Uniform() * (InputSize - w), y1 = Uniform() * (InputSize - h);
                (boxes[4 * b], boxes[4 * b + 1], boxes[4 * b + 2], boxes[4 * b + 3]) = ((float)x1, (float)y1, (float)(x1 + w), (float)(y1 + h));
                labels[b] = Math.Min(Classes, 1 + (int)(Uniform() * Classes));
            }
            result[i] = (boxes, labels);
        }
        return result;
    }

    /// <summary>Forward+backward time of the network's convolutions (and one batch norm, ReLU6) at their shapes, batch 16.</summary>
    private static void ProfileOps()
    {
        var g = new Generator(2);
        Tensor R(params int[] shape) => Tensor.Randn(shape, g);
        OpTiming.Time("stem conv 3x3 s2 3->16", x => F.Conv2d(x[0], x[1], null, stride: 2, padding: 1), R(Batch, 3, 128, 128), R(16, 3, 3, 3));
        OpTiming.Time("depthwise 16 s2 @64", x => F.Conv2d(x[0], x[1], null, stride: 2, padding: 1, groups: 16), R(Batch, 16, 64, 64), R(16, 1, 3, 3));
        OpTiming.Time("pointwise 16->24 @32", x => F.Conv2d(x[0], x[1]), R(Batch, 16, 32, 32), R(24, 16, 1, 1));
        OpTiming.Time("pointwise 24->96 @32", x => F.Conv2d(x[0], x[1]), R(Batch, 24, 32, 32), R(96, 24, 1, 1));
        OpTiming.Time("depthwise 96 s2 @32", x => F.Conv2d(x[0], x[1], null, stride: 2, padding: 1, groups: 96), R(Batch, 96, 32, 32), R(96, 1, 3, 3));
        OpTiming.Time("pointwise 96->32 @16", x => F.Conv2d(x[0], x[1]), R(Batch, 96, 16, 16), R(32, 96, 1, 1));
        OpTiming.Time("pointwise 32->128 @16", x => F.Conv2d(x[0], x[1]), R(Batch, 32, 16, 16), R(128, 32, 1, 1));
        OpTiming.Time("depthwise 128 s1 @16", x => F.Conv2d(x[0], x[1], null, stride: 1, padding: 1, groups: 128), R(Batch, 128, 16, 16), R(128, 1, 3, 3));
        OpTiming.Time("head0 3x3 32->60 @16", x => F.Conv2d(x[0], x[1], x[2], stride: 1, padding: 1), R(Batch, 32, 16, 16), R(60, 32, 3, 3), R(60));
        OpTiming.Time("head1 3x3 64->60 @8", x => F.Conv2d(x[0], x[1], x[2], stride: 1, padding: 1), R(Batch, 64, 8, 8), R(60, 64, 3, 3), R(60));
        OpTiming.Time("batchnorm train 16 @64", x => F.BatchNorm(x[0], null, null, x[1], x[2], training: true), R(Batch, 16, 64, 64), Tensor.Ones([16]), Tensor.Zeros([16]));
        OpTiming.Time("batchnorm train 96 @32", x => F.BatchNorm(x[0], null, null, x[1], x[2], training: true), R(Batch, 96, 32, 32), Tensor.Ones([96]), Tensor.Zeros([96]));
        OpTiming.Time("relu6 96 @32", x => F.Relu6(x[0]), R(Batch, 96, 32, 32));
    }

    public static int Run(string[] args)
    {
        int threadsAt = Array.IndexOf(args, "--threads");
        int threads = threadsAt >= 0 && threadsAt + 1 < args.Length ? int.Parse(args[threadsAt + 1], CultureInfo.InvariantCulture) : DefaultThreads;
        Parallelism.NumThreads = threads;
        bool profile = args.Contains("--profile");
        var inv = CultureInfo.InvariantCulture;
        Dictionary<string, string>? peer = null;
        double theirs = double.NaN;
        if (!profile)
        {
            peer = Peer.Run("detector_train_peer.py", $"--threads {threads} --batch {Batch} --input {InputSize} --width {Width} --depth {Depth} --classes {Classes} --boxes {BoxesPerImage} --steps {StepsPerBlock} --repeats {Blocks} --warmup {Warmup}", threads, out var failure,
                args.Contains("--passive-peer") ? new Dictionary<string, string> { ["OMP_WAIT_POLICY"] = "PASSIVE" } : null);
            if (peer == null) Console.WriteLine($"peer unavailable: {failure}");
            else theirs = double.Parse(peer["steps_per_s"], inv);
        }

        var net = new SsdNetwork(InputSize, Classes, Width, Depth, new Generator(0));
        int priors = net.PriorCount;
        var assigner = new SsdTargetAssigner(net.Priors, new SsdBoxCoder());
        var classTargets = new int[Batch * priors];
        var offsetTargets = new float[Batch * priors * 4];
        int positives = 0;
        var images = SyntheticBoxes();
        for (int i = 0; i < Batch; i++)
            positives += assigner.Assign(images[i].Boxes, images[i].Labels, classTargets.AsSpan(i * priors, priors), offsetTargets.AsSpan(i * priors * 4, priors * 4));
        Console.WriteLine($"parameters: ours={net.ParameterCount} peer={peer?.GetValueOrDefault("params") ?? "n/a"}");
        Console.WriteLine($"priors: ours={priors} peer={peer?.GetValueOrDefault("priors") ?? "n/a"}; positive priors in the batch: ours={positives} peer={peer?.GetValueOrDefault("positives") ?? "n/a"}");
        if (peer != null && (peer["params"] != net.ParameterCount.ToString(inv) || peer["priors"] != priors.ToString(inv)))
        {
            Console.Error.WriteLine("detector-train: the peer's network differs from ours (parameter or prior count); the comparison is void.");
            return 1;
        }

        net.Train();
        var optimizer = new Adam(net.Parameters(), learningRate: 2e-3);
        var x = Tensor.Randn([Batch, 3, InputSize, InputSize], new Generator(1));

        void Step()
        {
            optimizer.ZeroGrad();
            var loss = SsdLoss.Compute(net.Forward(x), classTargets, offsetTargets).Loss;
            loss.Backward();
            optimizer.Step();
        }

        for (int w = 0; w < Warmup; w++) Step(); // until the JIT has tiered up the per-step code
        if (profile)
        {
            // Phase split of a step (forward, loss, backward, update) and the garbage collections, 5 steps.
            double fwd = 0, lss = 0, bwd = 0, upd = 0;
            int gen0 = GC.CollectionCount(0), gen2 = GC.CollectionCount(2);
            var pause = GC.GetTotalPauseDuration();
            long allocated = GC.GetTotalAllocatedBytes();
            for (int i = 0; i < 5; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                optimizer.ZeroGrad();
                var output = net.Forward(x);
                var t1 = Stopwatch.GetTimestamp();
                var loss = SsdLoss.Compute(output, classTargets, offsetTargets).Loss;
                var t2 = Stopwatch.GetTimestamp();
                loss.Backward();
                var t3 = Stopwatch.GetTimestamp();
                optimizer.Step();
                var t4 = Stopwatch.GetTimestamp();
                fwd += Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds;
                lss += Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds;
                bwd += Stopwatch.GetElapsedTime(t2, t3).TotalMilliseconds;
                upd += Stopwatch.GetElapsedTime(t3, t4).TotalMilliseconds;
            }
            Console.WriteLine(FormattableString.Invariant($"profile (ms/step): forward {fwd / 5:F1}, loss {lss / 5:F1}, backward {bwd / 5:F1}, update {upd / 5:F1}"));
            Console.WriteLine(FormattableString.Invariant($"  per step: {(GC.GetTotalAllocatedBytes() - allocated) / 5.0 / (1 << 20):F1} MiB allocated, {(GC.CollectionCount(0) - gen0) / 5.0:F1} GCs ({(GC.CollectionCount(2) - gen2) / 5.0:F1} gen2), {(GC.GetTotalPauseDuration() - pause).TotalMilliseconds / 5:F1} ms paused"));
            OpTiming.Repeats = 40;
            var detached = net.Forward(x).Detach();
            OpTiming.Time("SsdLoss", o => SsdLoss.Compute(o[0], classTargets, offsetTargets).Loss, detached);
            ProfileOps();
        }
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var rates = StepTiming.Measure(Step, warmup: 0, Blocks, StepsPerBlock);
        double cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds / (Blocks * StepsPerBlock);
        Console.WriteLine($"cpu ms/step (all threads, spin-waits included): ours={cpuMs.ToString("F1", inv)} peer={peer?.GetValueOrDefault("cpu_ms_per_step") ?? "n/a"}");
        StepTiming.Report("detector-train", rates, theirs, rateFormat: "F2", valueFormat: "F3");
        return 0;
    }
}
