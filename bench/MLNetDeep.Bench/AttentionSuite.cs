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
        double theirs = StepTiming.PeerStepsPerSecond("attention_peer.py", $"--threads {Threads} --batch {Batch} --length {Length} --d-model {DModel} --heads {Heads} --ff {FeedForward} --steps {StepsPerBlock} --repeats {Blocks} --warmup {Warmup}", Threads);

        var g = new Generator(0);
        var layer = new TransformerEncoderLayer(DModel, Heads, FeedForward, dropout: 0, batchFirst: true, generator: g);
        var x = Tensor.Randn([Batch, Length, DModel], g);
        var upstream = Tensor.Randn([Batch, Length, DModel], g);

        void Step()
        {
            layer.ZeroGrad();
            layer.Forward(x).Backward(upstream);
        }

        var rates = StepTiming.Measure(Step, warmup: Warmup, Blocks, StepsPerBlock);
        StepTiming.Report("attention", rates, theirs);
        return 0;
    }
}
