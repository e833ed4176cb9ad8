using MLNetDeep.Tensors;
using MLNetDeep.Tests.Oracles;
using P = MLNetDeep.Tests.Parity.Parity;
using NUnit.Framework;

namespace MLNetDeep.Tests.Layers.Vision;

/// <summary>
/// Vision functional ops against torch.nn.functional (PyTorch 1.13): forward values and the gradient of every
/// float input (input, weight, bias) on random inputs covering strides, padding, dilation, groups, odd sizes, ceil_mode.
/// Batches of 1 take the serial-sample path (multi-threaded GEMM); larger batches spread samples over threads.
/// </summary>
[TestFixture]
public class VisionFunctionalParityTests
{
    private TorchOracle _oracle = null!;

    [OneTimeSetUp] public void StartOracle() => _oracle = TorchOracle.Start();

    [OneTimeTearDown] public void StopOracle() => _oracle?.Dispose();

    public sealed record VisionCase(string TorchFn, Tensor[] Inputs, Func<Tensor[], Tensor> Ours, Dictionary<string, object?>? Kwargs = null, double Rtol = P.Rtol, double Atol = P.Atol, int[]? Frozen = null);

    private static int _seed = 500;
    private static Tensor R(params int[] shape) => Tensor.Randn(shape, new Generator((ulong)_seed++));

    private static TestCaseData C(string name, VisionCase c) => new TestCaseData(c).SetName("VisionParity_" + name);

    private static Dictionary<string, object?> K(params (string Key, object? Value)[] kv) => kv.ToDictionary(p => p.Key, p => p.Value);

    public static IEnumerable<TestCaseData> Cases()
    {
        // convolutions
        yield return C("Conv2d_3x3_Pad1_Bias", new("torch.nn.functional.conv2d", [R(2, 3, 7, 6), R(4, 3, 3, 3), R(4)],
            x => F.Conv2d(x[0], x[1], x[2], padding: 1), K(("padding", 1))));
        yield return C("Conv2d_Stride23_Pad10_OddKernel", new("torch.nn.functional.conv2d", [R(2, 3, 9, 7), R(5, 3, 3, 2), R(5)],
            x => F.Conv2d(x[0], x[1], x[2], [2, 3], [1, 0], [1]), K(("stride", new[] { 2, 3 }), ("padding", new[] { 1, 0 }))));
        yield return C("Conv2d_Dilation2", new("torch.nn.functional.conv2d", [R(1, 2, 8, 9), R(3, 2, 3, 3)],
            x => F.Conv2d(x[0], x[1], null, padding: 2, dilation: 2), K(("padding", 2), ("dilation", 2))));
        yield return C("Conv2d_Groups2", new("torch.nn.functional.conv2d", [R(2, 4, 6, 5), R(6, 2, 3, 3), R(6)],
            x => F.Conv2d(x[0], x[1], x[2], stride: 2, padding: 1, groups: 2), K(("stride", 2), ("padding", 1), ("groups", 2))));
        yield return C("Conv2d_Depthwise", new("torch.nn.functional.conv2d", [R(2, 4, 7, 7), R(4, 1, 3, 3), R(4)],
            x => F.Conv2d(x[0], x[1], x[2], padding: 1, groups: 4), K(("padding", 1), ("groups", 4))));
        yield return C("Conv2d_Depthwise_Stride2_Odd", new("torch.nn.functional.conv2d", [R(3, 4, 8, 9), R(4, 1, 3, 3)],
            x => F.Conv2d(x[0], x[1], null, stride: 2, padding: 1, groups: 4), K(("stride", 2), ("padding", 1), ("groups", 4))));
        yield return C("Conv2d_Depthwise_Multiplier_Dilated", new("torch.nn.functional.conv2d", [R(2, 3, 9, 8), R(6, 1, 3, 3), R(6)],
            x => F.Conv2d(x[0], x[1], x[2], padding: 1, dilation: 2, groups: 3), K(("padding", 1), ("dilation", 2), ("groups", 3))));
        yield return C("Conv2d_Depthwise_Stride23_Dilated_Batch1", new("torch.nn.functional.conv2d", [R(1, 3, 11, 13), R(3, 1, 3, 3), R(3)],
            x => F.Conv2d(x[0], x[1], x[2], [2, 3], [2], [2], groups: 3), K(("stride", new[] { 2, 3 }), ("padding", 2), ("dilation", 2), ("groups", 3))));
        yield return C("Conv2d_Pointwise", new("torch.nn.functional.conv2d", [R(3, 5, 4, 6), R(7, 5, 1, 1), R(7)],
            x => F.Conv2d(x[0], x[1], x[2]), null));
        yield return C("Conv2d_Pointwise_Stride2", new("torch.nn.functional.conv2d", [R(2, 4, 5, 5), R(3, 4, 1, 1)],
            x => F.Conv2d(x[0], x[1], null, stride: 2), K(("stride", 2))));
        yield return C("Conv2d_Batch1_5x5", new("torch.nn.functional.conv2d", [R(1, 3, 11, 10), R(8, 3, 5, 5), R(8)],
            x => F.Conv2d(x[0], x[1], x[2], stride: 2, padding: 2), K(("stride", 2), ("padding", 2))));
        yield return C("ConvTranspose2d_Stride2_OutPad", new("torch.nn.functional.conv_transpose2d", [R(2, 4, 5, 4), R(4, 3, 3, 3), R(3)],
            x => F.ConvTranspose2d(x[0], x[1], x[2], stride: 2, padding: 1, outputPadding: 1), K(("stride", 2), ("padding", 1), ("output_padding", 1))));
        yield return C("ConvTranspose2d_Groups_Dilation", new("torch.nn.functional.conv_transpose2d", [R(2, 4, 4, 5), R(4, 2, 3, 2)],
            x => F.ConvTranspose2d(x[0], x[1], null, stride: 1, padding: 0, groups: 2, dilation: 2), K(("groups", 2), ("dilation", 2))));
        yield return C("ConvTranspose2d_Batch1_Stride3", new("torch.nn.functional.conv_transpose2d", [R(1, 3, 4, 3), R(3, 5, 2, 3), R(5)],
            x => F.ConvTranspose2d(x[0], x[1], x[2], [3, 2], [0, 1], [2, 1], [1]), K(("stride", new[] { 3, 2 }), ("padding", new[] { 0, 1 }), ("output_padding", new[] { 2, 1 }))));
        // pooling
        yield return C("MaxPool2d_3x3_S2_Pad1", new("torch.nn.functional.max_pool2d", [R(2, 3, 9, 8)],
            x => F.MaxPool2d(x[0], 3, 2, 1), K(("kernel_size", 3), ("stride", 2), ("padding", 1))));
        yield return C("MaxPool2d_CeilMode_Dilation", new("torch.nn.functional.max_pool2d", [R(2, 2, 10, 9)],
            x => F.MaxPool2d(x[0], 3, 2, 1, dilation: 2, ceilMode: true), K(("kernel_size", 3), ("stride", 2), ("padding", 1), ("dilation", 2), ("ceil_mode", true))));
        yield return C("MaxPool2d_Rect_CeilMode", new("torch.nn.functional.max_pool2d", [R(1, 3, 7, 8)],
            x => F.MaxPool2d(x[0], [2, 3], [2, 2], [0, 1], [1], ceilMode: true), K(("kernel_size", new[] { 2, 3 }), ("stride", 2), ("padding", new[] { 0, 1 }), ("ceil_mode", true))));
        yield return C("AvgPool2d_Pad_CountIncludePad", new("torch.nn.functional.avg_pool2d", [R(2, 3, 7, 7)],
            x => F.AvgPool2d(x[0], 3, 2, 1), K(("kernel_size", 3), ("stride", 2), ("padding", 1))));
        yield return C("AvgPool2d_Pad_ExcludePad_Ceil", new("torch.nn.functional.avg_pool2d", [R(2, 3, 8, 7)],
            x => F.AvgPool2d(x[0], 3, 2, 1, ceilMode: true, countIncludePad: false), K(("kernel_size", 3), ("stride", 2), ("padding", 1), ("ceil_mode", true), ("count_include_pad", false))));
        yield return C("AvgPool2d_Ceil_IncludePad", new("torch.nn.functional.avg_pool2d", [R(1, 2, 6, 9)],
            x => F.AvgPool2d(x[0], [2, 4], [2, 3], [1, 2], ceilMode: true), K(("kernel_size", new[] { 2, 4 }), ("stride", new[] { 2, 3 }), ("padding", new[] { 1, 2 }), ("ceil_mode", true))));
        yield return C("AvgPool2d_2x2", new("torch.nn.functional.avg_pool2d", [R(2, 4, 6, 6)],
            x => F.AvgPool2d(x[0], 2), K(("kernel_size", 2))));
        yield return C("AdaptiveAvgPool2d_Uneven", new("torch.nn.functional.adaptive_avg_pool2d", [R(2, 3, 7, 10)],
            x => F.AdaptiveAvgPool2d(x[0], 3, 4), K(("output_size", new[] { 3, 4 }))));
        yield return C("AdaptiveAvgPool2d_Global", new("torch.nn.functional.adaptive_avg_pool2d", [R(3, 5, 6, 7)],
            x => F.GlobalAvgPool2d(x[0]), K(("output_size", 1))));
        // resampling
        yield return C("Interpolate_Nearest_Scale2", new("torch.nn.functional.interpolate", [R(2, 3, 4, 5)],
            x => F.Interpolate(x[0], scaleFactor: [2.0]), K(("scale_factor", 2.0), ("mode", "nearest"))));
        yield return C("Interpolate_Nearest_Size", new("torch.nn.functional.interpolate", [R(1, 2, 5, 4)],
            x => F.Interpolate(x[0], size: [7, 9]), K(("size", new[] { 7, 9 }), ("mode", "nearest"))));
        yield return C("Interpolate_Bilinear_AlignFalse_Scale", new("torch.nn.functional.interpolate", [R(2, 2, 4, 5)],
            x => F.Interpolate(x[0], scaleFactor: [2.0], mode: "bilinear", alignCorners: false), K(("scale_factor", 2.0), ("mode", "bilinear"), ("align_corners", false))));
        yield return C("Interpolate_Bilinear_AlignTrue_Size", new("torch.nn.functional.interpolate", [R(1, 3, 5, 4)],
            x => F.Interpolate(x[0], size: [8, 7], mode: "bilinear", alignCorners: true), K(("size", new[] { 8, 7 }), ("mode", "bilinear"), ("align_corners", true))));
        yield return C("Interpolate_Bilinear_Downsample", new("torch.nn.functional.interpolate", [R(1, 2, 9, 8)],
            x => F.Interpolate(x[0], size: [4, 5], mode: "bilinear", alignCorners: false), K(("size", new[] { 4, 5 }), ("mode", "bilinear"), ("align_corners", false))));
        // batch norm (running statistics are frozen inputs: no gradient)
        yield return C("BatchNorm_Eval_4D", new("torch.nn.functional.batch_norm", [R(3, 4, 5, 6), R(4), R(4).Abs().Add(0.5), R(4), R(4)],
            x => F.BatchNorm(x[0], x[1], x[2], x[3], x[4], training: false, eps: 1e-3), K(("training", false), ("eps", 1e-3)), Frozen: [1, 2]));
        yield return C("BatchNorm_Train_4D", new("torch.nn.functional.batch_norm", [R(3, 4, 5, 6).Mul(2).Add(1), R(4), R(4).Abs().Add(0.5), R(4), R(4)],
            x => F.BatchNorm(x[0], x[1], x[2], x[3], x[4], training: true, momentum: 0.2), K(("training", true), ("momentum", 0.2)), Frozen: [1, 2]));
        yield return C("BatchNorm_Train_2D_NoAffine", new("torch.nn.functional.batch_norm", [R(6, 5), R(5), R(5).Abs().Add(0.5)],
            x => F.BatchNorm(x[0], x[1], x[2], training: true), K(("training", true)), Frozen: [1, 2]));
        // activations
        yield return C("Relu6", new("torch.nn.functional.relu6", [R(3, 40).Mul(5)], x => F.Relu6(x[0])));
        yield return C("Hardswish", new("torch.nn.functional.hardswish", [R(3, 40).Mul(3)], x => F.Hardswish(x[0])));
    }

    [TestCaseSource(nameof(Cases))]
    public void ForwardAndGradientsMatchPyTorch(VisionCase c)
    {
        var leaves = c.Inputs.Select((t, i) => c.Frozen?.Contains(i) == true ? t.Detach().Contiguous(force: true) : t.Detach().RequiresGrad_()).ToArray();
        var y = c.Ours(leaves);
        var upstream = P.UpstreamGradient(y, 91)!;
        var expected = _oracle.Call(c.TorchFn, leaves.Select(t => (object?)P.ToOracle(t, t.RequiresGrad)).ToList(), null, c.Kwargs, [P.ToOracle(upstream, false)]);
        P.AssertClose("output", expected.Output(0), y, c.Rtol, c.Atol);
        y.Mul(upstream).Sum().Backward();
        for (int i = 0; i < leaves.Length; i++)
            if (leaves[i].RequiresGrad) P.AssertClose($"gradient of input {i}", expected.Grad(i), leaves[i].Grad, c.Rtol, c.Atol);
    }

    [Test]
    public void InferenceUnderNoGradRecordsNothing()
    {
        var x = R(2, 3, 8, 8).RequiresGrad_();
        var w = R(4, 3, 3, 3).RequiresGrad_();
        using (Tensor.NoGrad())
        {
            var y = F.MaxPool2d(F.Conv2d(x, w, null, padding: 1), 2);
            Assert.That(y.RequiresGrad, Is.False);
            Assert.That(y.GradFnName, Is.Null);
        }
    }
}
