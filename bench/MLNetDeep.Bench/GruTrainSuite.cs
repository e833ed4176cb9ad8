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
        double theirs = StepTiming.PeerStepsPerSecond("gru_train_peer.py", $"--threads {Threads} --batch {Batch} --length {Length} --vocab {Vocab} --dim {Dim} --hidden {Hidden} --steps {StepsPerBlock} --repeats {Blocks}", Threads);

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

        var rates = StepTiming.Measure(Step, warmup: 5, Blocks, StepsPerBlock);
        StepTiming.Report("gru-train", rates, theirs);
        return 0;
    }
}
