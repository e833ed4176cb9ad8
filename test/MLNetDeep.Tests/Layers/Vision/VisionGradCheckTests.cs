using MLNetDeep.Tensors;
using MLNetDeep.Tests.Engine;
using NUnit.Framework;

namespace MLNetDeep.Tests.Layers.Vision;

/// <summary>Float64 finite-difference checks of the vision primitives' backward rules (input, weight and bias gradients).</summary>
public class VisionGradCheckTests
{
    private static Tensor R(int seed, params int[] shape) => Tensor.Randn(shape, new Generator((ulong)seed), dtype: DType.Float64);

    public static IEnumerable<TestCaseData> Cases()
    {
        TestCaseData C(string name, Func<Tensor[], Tensor> f, params Tensor[] xs) => new TestCaseData(f, xs).SetName("VisionGradCheck_" + name);
        yield return C("Conv2d_Stride_Pad_Bias", x => F.Conv2d(x[0], x[1], x[2], stride: 2, padding: 1), R(1, 2, 2, 5, 4), R(2, 3, 2, 3, 3), R(3, 3));
        yield return C("Conv2d_Asymmetric_Dilated", x => F.Conv2d(x[0], x[1], null, [1, 2], [1, 0, 2, 1], [2, 1]), R(1, 1, 2, 5, 5), R(2, 2, 2, 2, 3));
        yield return C("Conv2d_Groups", x => F.Conv2d(x[0], x[1], x[2], padding: 1, groups: 2), R(1, 2, 4, 3, 3), R(2, 4, 2, 2, 2), R(3, 4));
        yield return C("Conv2d_Depthwise_Stride2", x => F.Conv2d(x[0], x[1], x[2], stride: 2, padding: 1, groups: 3), R(1, 2, 3, 5, 5), R(2, 3, 1, 3, 3), R(3, 3));
        yield return C("Conv2d_Depthwise_Stride1", x => F.Conv2d(x[0], x[1], null, padding: 1, groups: 2), R(1, 1, 2, 4, 5), R(2, 4, 1, 3, 3));
        yield return C("Conv2d_Pointwise", x => F.Conv2d(x[0], x[1], x[2]), R(1, 2, 3, 3, 2), R(2, 4, 3, 1, 1), R(3, 4));
        yield return C("ConvTranspose2d", x => F.ConvTranspose2d(x[0], x[1], x[2], stride: 2, padding: 1, outputPadding: 1), R(1, 2, 2, 3, 3), R(2, 2, 3, 3, 3), R(3, 3));
        yield return C("ConvTranspose2d_Groups", x => F.ConvTranspose2d(x[0], x[1], null, [1], [0, 1, 1, 0], [0], [1], groups: 2), R(1, 1, 4, 3, 3), R(2, 4, 1, 2, 2));
        yield return C("MaxPool2d_Ceil", x => F.MaxPool2d(x[0], 3, 2, 1, ceilMode: true), R(1, 2, 2, 6, 5));
        yield return C("AvgPool2d_ExcludePad", x => F.AvgPool2d(x[0], 3, 2, 1, ceilMode: true, countIncludePad: false), R(1, 2, 2, 6, 5));
        yield return C("AdaptiveAvgPool2d", x => F.AdaptiveAvgPool2d(x[0], 2, 3), R(1, 2, 2, 5, 4));
        yield return C("BatchNorm_Train", x => F.BatchNorm(x[0], null, null, x[1], x[2], training: true), R(1, 3, 2, 3, 2), R(2, 2), R(3, 2));
        yield return C("BatchNorm_Eval", x => F.BatchNorm(x[0], Tensor.FromArray([0.1, -0.2]), Tensor.FromArray([0.5, 1.5]), x[1], x[2]), R(1, 3, 2, 4), R(2, 2), R(3, 2));
        yield return C("Relu6", x => F.Relu6(x[0]), R(1, 40).Mul(4));
        yield return C("Interpolate_Bilinear", x => F.Interpolate(x[0], size: [5, 4], mode: "bilinear", alignCorners: false), R(1, 1, 2, 3, 3));
    }

    [TestCaseSource(nameof(Cases))]
    public void BackwardMatchesFiniteDifferences(Func<Tensor[], Tensor> f, Tensor[] inputs)
    {
        var r = GradCheck.Run(f, inputs);
        Assert.That(r.Ok, Is.True, r.Message);
    }
}
