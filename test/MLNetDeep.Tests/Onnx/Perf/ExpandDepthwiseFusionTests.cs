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
/// activations, with and without the projection after it, and with a stem convolution in place of the
/// expansion; and the fused kernel is really used (the earlier nodes become pass-throughs).
/// </summary>
[TestFixture]
public sealed class ExpandDepthwiseFusionTests
{
    // (batch, input channels, expanded channels, size, stride, pad, activations, projected channels or 0)
    [TestCase(1, 8, 48, 80, 1, 1, true, 0)]
    [TestCase(3, 5, 40, 83, 2, 1, true, 0)]
    [TestCase(2, 16, 96, 56, 2, 1, false, 0)]
    [TestCase(1, 24, 144, 57, 1, 0, true, 0)]
    [TestCase(1, 8, 48, 80, 1, 1, true, 12)]
    [TestCase(2, 16, 96, 57, 2, 1, true, 24)]
    [TestCase(3, 6, 300, 30, 1, 1, false, 20)]
    // A 3×3 stride-2 stem over 1–3 channels in place of the 1×1 expansion.
    [TestCase(2, 3, 32, 224, 1, 1, true, 16, true)]
    [TestCase(1, 1, 24, 241, 2, 1, false, 0, true)]
    public void FusedEqualsSeparateConvolutions(int n, int cin, int ch, int size, int stride, int pad, bool activations, int project, bool stem = false)
    {
        // Without AVX-512 the folded node runs the original kernels one after the other: the same checks hold.
        var (session, x, expected) = Block(n, cin, ch, size, stride, pad, activations, project, stem);
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
                // The 1×1 node (and the depthwise node, with a projection) only pass their input on: the work is done in the last Conv.
                var nodes = session.Model.Graph;
                var convs = Enumerable.Range(0, nodes.Count).Where(i => nodes[i].OpType == "Conv").ToArray();
                foreach (int c in convs[..^1])
                    Assert.That(session.ProfileByNode[c], Is.LessThan(session.ProfileByNode[convs[^1]]), $"Conv node {c} still does work");
            }
        }
        finally { Parallelism.NumThreads = saved; }
    }

    /// <summary>
    /// Blocks whose expanded sample stays in cache run the two convolutions one after the other inside the
    /// depthwise node; the expanded tensor goes back to the buffer pool, so a repeated run allocates
    /// (almost) nothing.
    /// </summary>
    [TestCase(0)]
    [TestCase(12)]
    public void SmallBlocksRunSeparatelyAndRecycleTheExpandedTensor(int project)
    {
        const int n = 16, ch = 48, size = 20; // 48·20·25 floats per sample: far below the fusion threshold
        var (session, x, expected) = Block(n, 8, ch, size, 1, 1, true, project);
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
            // Stride 1, padding 1: the output (handed to the caller, so new each run) has the expanded plane size.
            long outputBytes = expandedBytes / ch * (project > 0 ? project : ch);
            Assert.That(allocated, Is.LessThan(outputBytes + expandedBytes / 4),
                $"a run allocated {allocated} bytes; the output has {outputBytes}, the expanded tensor {expandedBytes}");
        }
        finally { Parallelism.NumThreads = saved; }
    }

    /// <summary>A Conv 1×1 (+ Clip) → depthwise Conv 3×3 (+ Relu) [→ Conv 1×1] model, its input, and the engine's result per thread count.</summary>
    private static (OnnxSession Session, Tensor X, Func<int, float[]> Expected) Block(int n, int cin, int ch, int size, int stride, int pad, bool activations,
        int project, bool stem = false)
    {
        var gen = new Generator(13);
        int k = stem ? 3 : 1;
        var we = Tensor.Randn([ch, cin, k, k], gen).Mul(0.5f);
        var be = Tensor.Randn([ch], gen);
        var wd = Tensor.Randn([ch, 1, 3, 3], gen);
        var bd = Tensor.Randn([ch], gen);
        var x = Tensor.Randn([n, cin, size, size + 5], gen);

        var b = new OnnxGraphBuilder(13);
        string input = b.AddInput(OnnxTensorSpec.Float("x", "batch", cin, size, size + 5));
        string h = stem
            ? b.Node("Conv", [input, b.AddInitializer("we", we), b.AddInitializer("be", be)], OnnxAttr.Ints("kernel_shape", 3, 3),
                OnnxAttr.Ints("strides", 2, 2), OnnxAttr.Ints("pads", 1, 1, 1, 1))
            : b.Node("Conv", [input, b.AddInitializer("we", we), b.AddInitializer("be", be)], OnnxAttr.Ints("kernel_shape", 1, 1));
        if (activations) h = b.Node("Clip", [h, b.AddScalar("lo", 0f), b.AddScalar("hi", 6f)]);
        string y = b.Node("Conv", [h, b.AddInitializer("wd", wd), b.AddInitializer("bd", bd)], OnnxAttr.Ints("kernel_shape", 3, 3),
            OnnxAttr.Int("group", ch), OnnxAttr.Ints("strides", stride, stride), OnnxAttr.Ints("pads", pad, pad, pad, pad));
        if (activations) y = b.Node("Relu", [y]);
        var wp = Tensor.Randn([Math.Max(1, project), ch, 1, 1], gen).Mul(0.2f);
        var bp = Tensor.Randn([Math.Max(1, project)], gen);
        if (project > 0) y = b.Node("Conv", [y, b.AddInitializer("wp", wp), b.AddInitializer("bp", bp)], OnnxAttr.Ints("kernel_shape", 1, 1));
        b.AddOutput(y, OnnxTensorSpec.Float("y", "batch", project > 0 ? project : ch, "h", "w"), shapeKnown: false);
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
                var e = stem
                    ? F.Conv2dClamped(x, we, be, [2], [1, 1, 1, 1], [1], 1, lo, hi1)
                    : F.Conv2dClamped(x, we, be, [1], [0], [1], 1, lo, hi1);
                var d = F.Conv2dClamped(e, wd, bd, [stride], [pad, pad, pad, pad], [1], ch, lo, float.PositiveInfinity);
                return (project > 0 ? F.Conv2dClamped(d, wp, bp, [1], [0], [1], 1, float.NegativeInfinity, float.PositiveInfinity) : d).ToFloatArray();
            }
            finally { Parallelism.NumThreads = saved; }
        }
        return (session, x, Expected);
    }
}
