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
        double theirs = StepTiming.PeerStepsPerSecond("mlp_train_peer.py", $"--threads {Threads} --batch {Batch} --steps {StepsPerBlock} --repeats {Blocks}", Threads);

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

        var rates = StepTiming.Measure(Step, warmup: 5, Blocks, StepsPerBlock);
        StepTiming.Report("mlp-train", rates, theirs);
        return 0;
    }
}
