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

        int saved = Parallelism.NumThreads;
        try
        {
            foreach (int threads in new[] { 1, 2 })
            {
                Parallelism.NumThreads = threads;
                float lo = activations ? 0f : float.NegativeInfinity, hi1 = activations ? 6f : float.PositiveInfinity;
                var e = F.Conv2dClamped(x, we, be, [1], [0], [1], 1, lo, hi1);
                var expected = F.Conv2dClamped(e, wd, bd, [stride], [pad, pad, pad, pad], [1], ch, lo, float.PositiveInfinity).ToFloatArray();
                session.EnableProfiling = true;
                var got = session.Run(new Dictionary<string, Tensor> { ["x"] = x })["y"];
                session.EnableProfiling = false;
                Assert.That(got.ToFloatArray(), Is.EqualTo(expected), $"threads {threads}");
                // The 1×1 node only passes its input on: the work is done inside the depthwise node.
                var nodes = session.Model.Graph;
                int expand = Enumerable.Range(0, nodes.Count).First(i => nodes[i].OpType == "Conv");
                int depthwise = Enumerable.Range(0, nodes.Count).Last(i => nodes[i].OpType == "Conv");
                Assert.That(session.ProfileByNode[expand], Is.LessThan(session.ProfileByNode[depthwise]));
            }
        }
        finally { Parallelism.NumThreads = saved; }
    }
}
