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
/// input 128, stem width 16, batch 16; 10 classes; <see cref="SsdLoss"/>) vs the same network and loss written in
/// PyTorch 1.13 (tools/oracles/detector_train_peer.py), 2 threads each. The targets are fixed: 3 synthetic boxes per
/// image (the same 31-bit LCG in both) matched to the default boxes by <see cref="SsdTargetAssigner"/> (the peer:
/// the same matcher rule in torch), computed once outside the timed step on both sides, so both time network, loss,
/// backward and update only. The suite fails (exit code 1) when the peer's parameter count differs from ours.
/// <c>--profile</c> prints the phase split of a step instead of running the peer; <c>--threads N</c> (default 2)
/// runs both sides with N threads.
/// </summary>
public static class DetectorTrainSuite
{
    private const int DefaultThreads = 2, Batch = 16, InputSize = 128, Width = 16, Classes = 10, BoxesPerImage = 3, StepsPerBlock = 3, Blocks = 5;

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
            peer = Peer.Run("detector_train_peer.py", $"--threads {threads} --batch {Batch} --input {InputSize} --width {Width} --classes {Classes} --boxes {BoxesPerImage} --steps {StepsPerBlock} --repeats {Blocks}", threads, out var failure);
            if (peer == null) Console.WriteLine($"peer unavailable: {failure}");
            else theirs = double.Parse(peer["steps_per_s"], inv);
        }

        var net = new SsdNetwork(InputSize, Classes, Width, new Generator(0));
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

        for (int w = 0; w < 3; w++) Step();
        if (profile)
        {
            // Phase split of a step (forward, loss, backward, update), 5 steps.
            double fwd = 0, lss = 0, bwd = 0, upd = 0;
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
        }
        var rates = StepTiming.Measure(Step, warmup: 0, Blocks, StepsPerBlock);
        StepTiming.Report("detector-train", rates, theirs, rateFormat: "F2", valueFormat: "F3");
        return 0;
    }
}
