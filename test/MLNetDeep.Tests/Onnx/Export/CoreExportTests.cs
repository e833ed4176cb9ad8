using MLNetDeep.OnnxExport;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;
using NUnit.Framework;

namespace MLNetDeep.Tests.Onnx.Export;

[TestFixture]
public sealed class CoreExportTests : OnnxExportTestBase
{
    private static Generator Gen(int seed) => new((ulong)seed);

    [Test]
    public void Mlp_Gemm_MatchesRuntime_ForOtherBatchSizes()
    {
        var model = new Sequential(new Linear(4, 8, generator: Gen(1)), new ReLU(), new Dropout(0.3), new Linear(8, 3, generator: Gen(2)));
        OnnxExporter.Export(model, OnnxTensorSpec.Float("input", "batch", 4));
        Assert.That(model.IsTraining, Is.True, "export restores training mode");
        string path = AssertExportMatches(model, OnnxTensorSpec.Float("input", "batch", 4), [Input(10, 2, 4), Input(11, 5, 4), Input(12, 1, 4)]);
        var proto = Load(path);
        Assert.That(proto.Graph.Node.Select(n => n.OpType), Is.EqualTo(new[] { "Gemm", "Relu", "Gemm" }));
        Assert.That(proto.Graph.Output[0].Type.TensorType.Shape.Dim[0].DimParam, Is.EqualTo("batch"));
        Assert.That(proto.Graph.Output[0].Type.TensorType.Shape.Dim[1].DimValue, Is.EqualTo(3));
        Assert.That(proto.Graph.Initializer.Select(i => i.Name), Is.EquivalentTo(new[] { "0.weight", "0.bias", "3.weight", "3.bias" }));
    }

    [Test]
    public void Linear_On3dInput_UsesMatMulAdd_WithBatchAndSequenceAxes()
    {
        var model = new Sequential(new Linear(5, 6, generator: Gen(3)), new Tanh(), new Linear(6, 2, bias: false, generator: Gen(4)));
        string path = AssertExportMatches(model, OnnxTensorSpec.Float("x", "batch", "sequence", 5),
            [Input(20, 2, 3, 5), Input(21, 4, 7, 5), Input(22, 1, 1, 5)]);
        var proto = Load(path);
        Assert.That(proto.Graph.Node.Select(n => n.OpType), Is.EqualTo(new[] { "MatMul", "Add", "Tanh", "MatMul" }));
        var dims = proto.Graph.Output[0].Type.TensorType.Shape.Dim;
        Assert.That(new[] { dims[0].DimParam, dims[1].DimParam }, Is.EqualTo(new[] { "batch", "sequence" }));
    }

    [Test]
    public void Linear_On1dInput_MatchesRuntime()
    {
        var model = new Linear(3, 2, generator: Gen(5));
        AssertExportMatches(model, OnnxTensorSpec.Float("x", 3), [Input(30, 3)]);
    }

    [TestCase(1, -1)]
    [TestCase(0, -1)]
    [TestCase(1, 2)]
    [TestCase(0, 1)]
    [TestCase(2, 2)]
    public void Flatten_MatchesRuntime(int start, int end)
    {
        var model = new Flatten(start, end);
        AssertExportMatches(model, OnnxTensorSpec.Float("x", "batch", 2, 3, 4), [Input(40, 2, 2, 3, 4), Input(41, 3, 2, 3, 4)]);
    }

    [Test]
    public void Embedding_GathersRows_ForOtherBatchAndSequenceSizes()
    {
        var model = new Sequential(new Embedding(10, 4, paddingIdx: 0, generator: Gen(6)), new Linear(4, 2, generator: Gen(7)));
        var ids1 = Tensor.FromArray(new long[] { 0, 3, 9, 1, 2, 2 }, 2, 3);
        var ids2 = Tensor.RandInt([4, 5], 0, 10, Gen(8));
        string path = AssertExportMatches(model, OnnxTensorSpec.Int64("ids", "batch", "sequence"), [ids1, ids2]);
        var proto = Load(path);
        Assert.That(proto.Graph.Input[0].Type.TensorType.ElemType, Is.EqualTo((int)MLNetDeep.OnnxExport.Schema.TensorProto.Types.DataType.Int64));
        Assert.That(proto.Graph.Node[0].OpType, Is.EqualTo("Gather"));
    }

    [Test]
    public void DropoutOnly_IsIdentity()
    {
        var model = new Dropout(0.5);
        string path = AssertExportMatches(model, OnnxTensorSpec.Float("x", "batch", 3), [Input(50, 4, 3)]);
        Assert.That(Load(path).Graph.Node.Select(n => n.OpType), Is.EqualTo(new[] { "Identity" }));
    }

    [TestCase(13)]
    [TestCase(15)]
    [TestCase(17)]
    public void OlderOpsets_ExportAndRun_WithMatchingIrVersion(int opset)
    {
        var model = new Sequential(new Linear(4, 3, generator: Gen(9)), new GELU(), new Flatten(0, -1));
        var options = new OnnxExportOptions { OpsetVersion = opset };
        string path = AssertExportMatches(model, OnnxTensorSpec.Float("x", "batch", 4), [Input(60, 3, 4)], options);
        var proto = Load(path);
        Assert.That(proto.OpsetImport.Single().Version, Is.EqualTo(opset));
        Assert.That(proto.IrVersion, Is.EqualTo(opset <= 14 ? 7 : 8));
    }

    internal static MLNetDeep.OnnxExport.Schema.ModelProto Load(string path)
    {
        using var fs = File.OpenRead(path);
        return MLNetDeep.OnnxExport.Schema.ModelProto.Parser.ParseFrom(fs);
    }
}
