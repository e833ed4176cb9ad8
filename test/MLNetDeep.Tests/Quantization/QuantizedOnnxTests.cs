using MLNetDeep.Data;
using MLNetDeep.Estimators.Compression;
using MLNetDeep.Estimators.Vision;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn.Quantized;
using MLNetDeep.Tests.Onnx.Export;
using MLNetDeep.Tests.Vision;
using NUnit.Framework;

namespace MLNetDeep.Tests.Quantization;

/// <summary>
/// QDQ export of quantized image classifiers (the real ImageClassificationTransformer): the file passes the full checker,
/// holds int8 weights with per-channel scales, and ONNX Runtime and our runtime give the int8 transformer's scores and labels;
/// a save → load round trip also exports. And the runtime's QuantizeLinear / DequantizeLinear on their own.
/// </summary>
public class QuantizedOnnxTests : OnnxExportTestBase
{
    [TestCase(ImageArchitecture.SmallCnn)]
    [TestCase(ImageArchitecture.Mlp)]
    [TestCase(ImageArchitecture.MobileNetV2)]
    public void QdqExportMatchesTheInt8Transformer(ImageArchitecture architecture)
    {
        var ctx = new DeepContext(3);
        var train = ImageClassifierTests.Bars(ctx, 32, seed: 1);
        var model = ctx.Vision.Trainers.ImageClassifier(ImageClassifierTests.Tiny(architecture)).Fit(train);
        var test = ImageClassifierTests.Bars(ctx, 11, seed: 7);
        var quantized = ctx.Transforms.Quantize(model, calibrationExamples: 64).Fit(test);
        Assert.That(quantized.Network.NamedModules().Count(m => m.Value is QuantizedConv2d or QuantizedLinear), Is.GreaterThan(0));
        string path = NewPath($"qdq-{architecture}");
        ctx.Model.ExportOnnx(quantized, train, path);
        Assert.That(Checker.Check(path), Is.Null, "onnx.checker full_check");
        var proto = MLNetDeep.OnnxExport.Schema.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        Assert.That(proto.Graph.Node.Count(n => n.OpType == "QuantizeLinear"), Is.GreaterThan(0));
        var int8 = proto.Graph.Initializer.Where(i => i.Name.EndsWith("weight_int8")).ToList();
        Assert.That(int8, Is.Not.Empty);
        Assert.That(int8.All(i => i.DataType == 3), Is.True, "int8 weights");

        // ONNX Runtime runs the Conv/Gemm in float on dequantized values (the engine sums exactly in int32): all rows in one batch, 1e-3.
        ImageClassifierOnnxTests.AssertRuntimesGiveTheTransformerOutputs(Runtime, ctx, quantized, test, path, batch: int.MaxValue, runtimeTolerance: 1e-3f, oursTolerance: 1e-4f);
    }

    [Test]
    public void RuntimeQuantizeDequantizeFollowOnnx()
    {
        var b = new MLNetDeep.OnnxExport.OnnxGraphBuilder(13);
        string x = b.AddInput(MLNetDeep.OnnxExport.OnnxTensorSpec.Float("x", 2, 3));
        string s = b.AddFloats("s", [0.5f, 0.25f, 1f], 3);
        string z = b.AddUInt8Initializer("z", [10, 0, 250], 3);
        string q = b.Node("QuantizeLinear", [x, s, z], MLNetDeep.OnnxExport.OnnxAttr.Int("axis", 1));
        string d = b.Node("DequantizeLinear", [q, s, z], MLNetDeep.OnnxExport.OnnxAttr.Int("axis", 1));
        b.AddOutput(d, MLNetDeep.OnnxExport.OnnxTensorSpec.Float("y", 2, 3));
        string path = NewPath("qdq-ops");
        b.Save(path);
        var input = Tensor.FromArray([1.25f, -3f, 7.6f, -20f, 100f, -0.5f], 2, 3);
        var ort = Runtime.Run(path, new Dictionary<string, Tensor> { ["x"] = input })["y"].ToArray<float>();
        var session = new MLNetDeep.Onnx.OnnxSession(path);
        var oursY = session.Run(new Dictionary<string, Tensor> { ["x"] = input })["y"].ToArray<float>();
        // round(2.5) = 2 (half to even) → 12 → 1; −12 clamps at 0 → 0; 7.6 → 8 + 250 saturates at 255 → 5; −0.5 rounds to 0 → 0.
        Assert.That(ort, Is.EqualTo(new[] { 1f, 0f, 5f, -5f, 63.75f, 0f }));
        Assert.That(oursY, Is.EqualTo(ort));
    }
}
