using MLNetDeep.OnnxExport;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;
using NUnit.Framework;

namespace MLNetDeep.Tests.Onnx.Export;

[TestFixture]
public sealed class VisionExportTests : OnnxExportTestBase
{
    private static Generator Gen(int seed) => new((ulong)seed);

    /// <summary>Gives batch norms non-trivial running statistics (two training-mode passes) and affine parameters.</summary>
    private static T Warm<T>(T model, int channels, int seed, int h = 8, int w = 8) where T : Module<Tensor, Tensor>
    {
        model.Train();
        using (Tensor.NoGrad())
            for (int i = 0; i < 2; i++) model.Forward(Tensor.Randn([4, channels, h, w], Gen(seed + i), mean: 0.5, std: 2));
        var g = Gen(seed + 100);
        foreach (var (name, p) in model.NamedParameters())
            if (name.Contains("bn") || name.Contains("norm") || name.StartsWith("1.", StringComparison.Ordinal))
                p.Detach().AddInPlace(Tensor.Rand(p.Shape.ToArray(), g, -0.3, 0.3));
        model.Eval();
        return model;
    }

    private static OnnxTensorSpec Image(int channels, OnnxDim h, OnnxDim w) => OnnxTensorSpec.Float("image", "batch", channels, h, w);

    [TestCase(1, 1, 1, 1)]
    [TestCase(2, 1, 1, 1)]
    [TestCase(1, 2, 2, 1)]
    [TestCase(2, 0, 1, 2)]
    [TestCase(1, 1, 2, 4)]
    public void Conv2d_MatchesRuntime_ForOtherBatchAndImageSizes(int stride, int padding, int dilation, int groups)
    {
        var model = new Conv2d(4, 8, 3, stride, padding, dilation, groups, generator: Gen(1));
        AssertExportMatches(model, Image(4, "height", "width"), [Input(1, 2, 4, 9, 9), Input(2, 3, 4, 12, 7)]);
    }

    [TestCase(1, 0, 0, 1)]
    [TestCase(2, 1, 1, 1)]
    [TestCase(2, 1, 0, 2)]
    public void ConvTranspose2d_MatchesRuntime(int stride, int padding, int outputPadding, int groups)
    {
        var model = new ConvTranspose2d(4, 6, 3, stride, padding, outputPadding, groups, generator: Gen(2));
        AssertExportMatches(model, Image(4, "height", "width"), [Input(3, 2, 4, 5, 5), Input(4, 1, 4, 7, 4)]);
    }

    [TestCase(2, null, 0, false)]
    [TestCase(3, 2, 1, false)]
    [TestCase(3, 2, 1, true)]
    public void MaxPool2d_MatchesRuntime(int kernel, int? stride, int padding, bool ceil)
    {
        AssertExportMatches(new MaxPool2d(kernel, stride, padding, ceilMode: ceil), Image(3, "height", "width"), [Input(5, 2, 3, 8, 8), Input(6, 1, 3, 11, 9)]);
    }

    [TestCase(2, null, 0, true)]
    [TestCase(3, 2, 1, true)]
    [TestCase(3, 2, 1, false)]
    public void AvgPool2d_MatchesRuntime(int kernel, int? stride, int padding, bool countIncludePad)
    {
        AssertExportMatches(new AvgPool2d(kernel, stride, padding, countIncludePad: countIncludePad), Image(3, "height", "width"), [Input(7, 2, 3, 8, 8), Input(8, 1, 3, 11, 9)]);
    }

    [Test]
    public void AdaptiveAvgPool_Global_And_Fixed_MatchRuntime()
    {
        AssertExportMatches(new AdaptiveAvgPool2d(1), Image(3, "height", "width"), [Input(9, 2, 3, 5, 7), Input(10, 1, 3, 8, 8)]);
        string path = AssertExportMatches(new AdaptiveAvgPool2d(3, 2), Image(3, 7, 5), [Input(11, 2, 3, 7, 5), Input(12, 4, 3, 7, 5)]);
        Assert.That(CoreExportTests.Load(path).Graph.Node.Select(n => n.OpType), Is.EqualTo(new[] { "MatMul", "MatMul" }));
    }

    [Test]
    public void BatchNorm2d_InEvaluation_MatchesRuntime()
    {
        var model = Warm(new Sequential(new Conv2d(3, 4, 3, padding: 1, generator: Gen(13)), new BatchNorm2d(4), new ReLU6()), 3, 14);
        string path = AssertExportMatches(model, Image(3, "height", "width"), [Input(15, 2, 3, 6, 6).Mul(4), Input(16, 3, 3, 4, 5).Mul(4)]);
        Assert.That(CoreExportTests.Load(path).Graph.Node.Select(n => n.OpType), Is.EqualTo(new[] { "Conv", "BatchNormalization", "Clip" }));
    }

    [Test]
    public void BatchNorm1d_OnFeatures_MatchesRuntime()
    {
        var model = new Sequential(new Linear(5, 4, generator: Gen(17)), new BatchNorm1d(4, affine: false), new Hardswish());
        model.Train();
        using (Tensor.NoGrad()) model.Forward(Tensor.Randn([8, 5], Gen(18), std: 3));
        model.Eval();
        AssertExportMatches(model, OnnxTensorSpec.Float("x", "batch", 5), [Input(19, 3, 5).Mul(3), Input(20, 6, 5).Mul(3)]);
        AssertExportMatches(new Hardswish(), OnnxTensorSpec.Float("x", "batch", 5), [Input(21, 3, 5).Mul(5)], new OnnxExportOptions { OpsetVersion = 13 });
    }

    [Test]
    public void BatchNorm_WithoutRunningStats_IsRefused()
    {
        var e = Assert.Throws<OnnxExportException>(() => OnnxExporter.Export(new Sequential(new BatchNorm2d(3, trackRunningStats: false)), Image(3, 4, 4)))!;
        Assert.That(e.ModulePath, Is.EqualTo("0"));
    }

    [TestCase("nearest", null, 2.0)]
    [TestCase("nearest", null, 1.5)]
    [TestCase("bilinear", false, 2.0)]
    [TestCase("bilinear", true, 2.0)]
    public void Upsample_ByScale_MatchesRuntime(string mode, bool? alignCorners, double scale)
    {
        var model = new Upsample(scaleFactor: [scale], mode: mode, alignCorners: alignCorners);
        AssertExportMatches(model, Image(2, "height", "width"), [Input(22, 2, 2, 4, 6), Input(23, 1, 2, 5, 3)]);
    }

    [TestCase("nearest", null)]
    [TestCase("bilinear", false)]
    public void Upsample_ToSize_MatchesRuntime(string mode, bool? alignCorners)
    {
        AssertExportMatches(new Upsample(size: [7, 9], mode: mode, alignCorners: alignCorners), Image(2, "height", "width"), [Input(24, 2, 2, 4, 6), Input(25, 3, 2, 3, 5)]);
    }

    [Test]
    public void ResNetBasicBlocks_MatchRuntime()
    {
        var model = Warm(new Sequential(new BasicBlock(3, 3, generator: Gen(26)), new BasicBlock(3, 6, stride: 2, generator: Gen(27)),
            new AdaptiveAvgPool2d(1), new Flatten(), new Linear(6, 2, generator: Gen(28))), 3, 29);
        string path = AssertExportMatches(model, Image(3, "height", "width"), [Input(30, 2, 3, 8, 8), Input(31, 1, 3, 7, 9)]);
        var names = CoreExportTests.Load(path).Graph.Initializer.Select(i => i.Name).ToList();
        Assert.That(names, Does.Contain("1.downsample.0.weight").And.Contain("0.bn1.running_mean"));
    }

    [Test]
    public void DenseNetBlocks_MatchRuntime()
    {
        var model = Warm(new Sequential(new DenseBlock(2, 4, bnSize: 2, growthRate: 3, generator: Gen(32)), new Transition(10, 5, generator: Gen(33))), 4, 34);
        AssertExportMatches(model, Image(4, "height", "width"), [Input(35, 2, 4, 8, 8), Input(36, 1, 4, 6, 10)]);
    }

    [Test]
    public void MobileNetBlocks_MatchRuntime()
    {
        var model = Warm(new Sequential(new DepthwiseSeparableBlock(4, 8, generator: Gen(37)), new InvertedResidual(8, 8, 1, 2.0, generator: Gen(38)),
            new InvertedResidual(8, 6, 2, 1.0, generator: Gen(39))), 4, 40);
        AssertExportMatches(model, Image(4, "height", "width"), [Input(41, 2, 4, 8, 8), Input(42, 1, 4, 9, 7)], new OnnxExportOptions { OpsetVersion = 13 });
    }
}
