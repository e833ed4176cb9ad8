using MLNetDeep.OnnxExport;
using MLNetDeep.OnnxExport.Schema;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;
using NUnit.Framework;

namespace MLNetDeep.Tests.Onnx.Export;

/// <summary>Hand-built graphs, custom exporters and metadata, checked by the oracles.</summary>
[TestFixture]
public sealed class GraphBuilderOracleTests : OnnxExportTestBase
{
    [Test]
    public void HandBuiltGraph_WithAttributesAndConstants_PassesCheckerAndRuns()
    {
        var b = new OnnxGraphBuilder(17);
        string x = b.AddInput(OnnxTensorSpec.Float("x", "batch", 3));
        string w = b.AddInitializer("w", Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3));
        string y = b.Node("Gemm", [x, w], OnnxAttr.Int("transB", 1), OnnxAttr.Float("alpha", 2f));
        string s = b.Node("Mul", [y, b.AddScalar("half", 0.5f)]);
        string sm = b.Node("Softmax", [s], OnnxAttr.Int("axis", -1));
        b.AddOutput(sm, new OnnxTensorSpec("probs", DType.Float32, ["batch", 2]) { DocString = "class probabilities" });
        string path = NewPath("hand");
        b.Save(path);
        Assert.That(Checker.Check(path), Is.Null);
        var input = Tensor.FromArray(new float[] { 1, 0, 0, 0, 1, -1 }, 2, 3);
        var expected = F.Softmax(Tensor.FromArray(new float[] { 1, 4, -1, -1 }, 2, 2), -1);
        AssertClose("hand-built graph", expected, Runtime.RunSingle(path, "x", input));
    }

    [Test]
    public void CustomExporter_CanBeRegistered()
    {
        var registry = OnnxExportRegistry.CreateWithBuiltIns()
            .Register<GraphBuilderTests.Unexportable>((ctx, m, inputs) => [ctx.Node("Neg", [inputs[0]])]);
        var model = new Sequential(new ReLU(), new GraphBuilderTests.Unexportable());
        string path = ExportChecked(model, [OnnxTensorSpec.Float("x", "batch", 3)], new OnnxExportOptions { Registry = registry });
        var x = Input(3, 4, 3);
        AssertClose("custom exporter", model.Forward(x), Runtime.RunSingle(path, "x", x));
        Assert.That(OnnxExportRegistry.Default.CanExport(typeof(GraphBuilderTests.Unexportable)), Is.False, "the default registry is untouched");
    }

    [Test]
    public void Metadata_IsWritten()
    {
        var options = new OnnxExportOptions { OutputNames = ["logits"] };
        options.ModelInfo.ModelVersion = 7;
        options.ModelInfo.DocString = "a tiny classifier";
        options.ModelInfo.MetadataProps["labels"] = "cat,dog";
        options.OutputDocs["logits"] = "unnormalized scores";
        var input = new OnnxTensorSpec("features", DType.Float32, ["batch", 4], "four features");
        string path = ExportChecked(new Linear(4, 2), [input], options);
        var m = CoreExportTests.Load(path);
        Assert.That(m.ProducerName, Is.EqualTo("MLNetDeep"));
        Assert.That(m.ProducerVersion, Is.Not.Empty);
        Assert.That(m.ModelVersion, Is.EqualTo(7));
        Assert.That(m.DocString, Is.EqualTo("a tiny classifier"));
        Assert.That(m.MetadataProps.Single(p => p.Key == "labels").Value, Is.EqualTo("cat,dog"));
        Assert.That(m.IrVersion, Is.EqualTo(8));
        Assert.That(m.OpsetImport.Single().Version, Is.EqualTo(17));
        Assert.That(m.Graph.Input[0].DocString, Is.EqualTo("four features"));
        Assert.That(m.Graph.Output[0].Name, Is.EqualTo("logits"));
        Assert.That(m.Graph.Output[0].DocString, Is.EqualTo("unnormalized scores"));
        Assert.That(m.Graph.Node[0].DocString, Does.Contain("Linear"));
    }
}
