using MLNetDeep.Onnx;
using MLNetDeep.OnnxExport;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Kernels;
using NUnit.Framework;

namespace MLNetDeep.Tests.Onnx.Perf;

/// <summary>
/// The load-time fusion of a 1×1 expansion Conv (+ Clip) into the 3×3 depthwise Conv (+ Clip) after it
/// (<see cref="PointwiseDepthwiseF32"/>, row bands whose expanded rows stay in cache): the session's
/// output equals the two convolutions run one after the other through the engine, bit for bit, for
/// strides 1 and 2, padding 0 and 1, one and several samples, one and two threads, with and without the
/// activations; and the fused kernel is really used (the 1×1 node becomes a pass-through).
/// </summary>
[TestFixture]
public sealed class ExpandDepthwiseFusionTests
{
    // (batch, input channels, expanded channels, size, stride, pad, activations)
    [TestCase(1, 8, 48, 80, 1, 1, true)]
    [TestCase(3, 5, 40, 83, 2, 1, true)]
    [TestCase(2, 16, 96, 56, 2, 1, false)]
    [TestCase(1, 24, 144, 57, 1, 0, true)]
    public void FusedEqualsSeparateConvolutions(int n, int cin, int ch, int size, int stride, int pad, bool activations)
    {
        if (!System.Runtime.Intrinsics.X86.Avx512F.IsSupported) Assert.Ignore("the fused kernel needs AVX-512");
        var (session, x, expected) = Block(n, cin, ch, size, stride, pad, activations);
        int saved = Parallelism.NumThreads;
        try
        {
            foreach (int threads in new[] { 1, 2 })
            {
                Parallelism.NumThreads = threads;
                session.EnableProfiling = true;
                var got = session.Run(new Dictionary<string, Tensor> { ["x"] = x })["y"];
                session.EnableProfiling = false;
                Assert.That(got.ToFloatArray(), Is.EqualTo(expected(threads)), $"threads {threads}");
                // The 1×1 node only passes its input on: the work is done inside the depthwise node.
                var nodes = session.Model.Graph;
                int expand = Enumerable.Range(0, nodes.Count).First(i => nodes[i].OpType == "Conv");
                int depthwise = Enumerable.Range(0, nodes.Count).Last(i => nodes[i].OpType == "Conv");
                Assert.That(session.ProfileByNode[expand], Is.LessThan(session.ProfileByNode[depthwise]));
            }
        }
        finally { Parallelism.NumThreads = saved; }
    }

    /// <summary>
    /// Blocks whose expanded sample stays in cache run the two convolutions one after the other inside the
    /// depthwise node; the expanded tensor goes back to the buffer pool, so a repeated run allocates
    /// (almost) nothing.
    /// </summary>
    [Test]
    public void SmallBlocksRunSeparatelyAndRecycleTheExpandedTensor()
    {
        const int n = 16, ch = 48, size = 20; // 48·20·25 floats per sample: far below the fusion threshold
        var (session, x, expected) = Block(n, 8, ch, size, 1, 1, true);
        int saved = Parallelism.NumThreads;
        try
        {
            Parallelism.NumThreads = 1;
            var feeds = new Dictionary<string, Tensor> { ["x"] = x };
            Assert.That(session.Run(feeds)["y"].ToFloatArray(), Is.EqualTo(expected(1)));
            session.Run(feeds);
            long before = GC.GetAllocatedBytesForCurrentThread();
            session.Run(feeds);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            long expandedBytes = (long)n * ch * size * (size + 5) * sizeof(float);
            long outputBytes = expandedBytes; // stride 1, padding 1: the output (handed to the caller, so new each run) has the same size
            Assert.That(allocated, Is.LessThan(outputBytes + expandedBytes / 4),
                $"a run allocated {allocated} bytes; the output has {outputBytes}, the expanded tensor {expandedBytes}");
        }
        finally { Parallelism.NumThreads = saved; }
    }

    /// <summary>A Conv 1×1 (+ Clip) → depthwise Conv 3×3 (+ Relu) model, its input, and the engine's result per thread count.</summary>
    private static (OnnxSession Session, Tensor X, Func<int, float[]> Expected) Block(int n, int cin, int ch, int size, int stride, int pad, bool activations)
    {
        var gen = new Generator(13);
        var we = Tensor.Randn([ch, cin, 1, 1], gen).Mul(0.5f);
        var be = Tensor.Randn([ch], gen);
        var wd = Tensor.Randn([ch, 1, 3, 3], gen);
        var bd = Tensor.Randn([ch], gen);
        var x = Tensor.Randn([n, cin, size, size + 5], gen);

        var b = new OnnxGraphBuilder(13);
        string input = b.AddInput(OnnxTensorSpec.Float("x", "batch", cin, size, size + 5));
        string h = b.Node("Conv", [input, b.AddInitializer("we", we), b.AddInitializer("be", be)], OnnxAttr.Ints("kernel_shape", 1, 1));
        if (activations) h = b.Node("Clip", [h, b.AddScalar("lo", 0f), b.AddScalar("hi", 6f)]);
        string y = b.Node("Conv", [h, b.AddInitializer("wd", wd), b.AddInitializer("bd", bd)], OnnxAttr.Ints("kernel_shape", 3, 3),
            OnnxAttr.Int("group", ch), OnnxAttr.Ints("strides", stride, stride), OnnxAttr.Ints("pads", pad, pad, pad, pad));
        if (activations) y = b.Node("Relu", [y]);
        b.AddOutput(y, OnnxTensorSpec.Float("y", "batch", ch, "h", "w"), shapeKnown: false);
        using var stream = new MemoryStream();
        b.Save(stream);
        var session = new OnnxSession(OnnxModel.Load(stream.ToArray()));
        float[] Expected(int threads)
        {
            int saved = Parallelism.NumThreads;
            Parallelism.NumThreads = threads;
            try
            {
                float lo = activations ? 0f : float.NegativeInfinity, hi1 = activations ? 6f : float.PositiveInfinity;
                var e = F.Conv2dClamped(x, we, be, [1], [0], [1], 1, lo, hi1);
                return F.Conv2dClamped(e, wd, bd, [stride], [pad, pad, pad, pad], [1], ch, lo, float.PositiveInfinity).ToFloatArray();
            }
            finally { Parallelism.NumThreads = saved; }
        }
        return (session, x, Expected);
    }
}
