using MLNetDeep.OnnxExport;
using MLNetDeep.OnnxExport.Schema;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;
using NUnit.Framework;

namespace MLNetDeep.Tests.Onnx.Export;

/// <summary>The graph builder on its own: names, validation errors, metadata, saving. Oracles only where the file must be valid.</summary>
[TestFixture]
public sealed class GraphBuilderTests : OnnxExportTestBase
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
    public void Names_AreUniqueAndScoped()
    {
        var b = new OnnxGraphBuilder();
        string x = b.AddInput(OnnxTensorSpec.Float("x", 2));
        b.Scope = "enc.0";
        string a = b.Node("Relu", [x]);
        string c = b.Node("Relu", [a]);
        Assert.That(a, Is.Not.EqualTo(c));
        Assert.That(b.Nodes.Select(n => n.Name), Is.EqualTo(new[] { "enc.0/Relu", "enc.0/Relu_1" }));
        Assert.That(b.UniqueValueName("x"), Is.EqualTo("enc.0/x"));
        b.Scope = "";
        Assert.That(b.UniqueValueName("x"), Is.EqualTo("x_1"));
        Assert.That(b.AddInitializer("w", Tensor.Zeros(2)), Is.EqualTo("w"));
        Assert.That(b.AddInitializer("w", Tensor.Zeros(2)), Is.EqualTo("w_1"));
        Assert.That(b.AddInt64s("axes", 0, 1), Is.EqualTo(b.AddInt64s("axes", 0, 1)), "equal constants are shared");
    }

    [Test]
    public void UnknownInput_IsTyped_AndNamesNodeAndValue()
    {
        var b = new OnnxGraphBuilder();
        b.AddInput(OnnxTensorSpec.Float("x", 2));
        var e = Assert.Throws<OnnxExportException>(() => b.AddNode("Add", ["x", "missing"], name: "adder"))!;
        Assert.That(e.NodeName, Is.EqualTo("adder"));
        Assert.That(e.ValueName, Is.EqualTo("missing"));
        Assert.That(e.Message, Does.Contain("adder").And.Contain("missing"));
    }

    [Test]
    public void OperatorMissingFromOpset_IsRefused()
    {
        var b = new OnnxGraphBuilder(13);
        b.AddInput(OnnxTensorSpec.Float("x", 2, 4));
        var e = Assert.Throws<OnnxExportException>(() => b.AddNode("LayerNormalization", ["x"], name: "ln"))!;
        Assert.That(e.NodeName, Is.EqualTo("ln"));
        Assert.That(e.Message, Does.Contain("17").And.Contain("13"));
        Assert.Throws<OnnxExportException>(() => b.RequireOpset(17, "LayerNorm"));
    }

    [Test]
    public void DuplicateNamesAndAttributes_AreRefused()
    {
        var b = new OnnxGraphBuilder();
        b.AddInput(OnnxTensorSpec.Float("x", 2));
        var dupInput = Assert.Throws<OnnxExportException>(() => b.AddInput(OnnxTensorSpec.Float("x", 3)))!;
        Assert.That(dupInput.ValueName, Is.EqualTo("x"));
        var dupAttr = Assert.Throws<OnnxExportException>(() => b.AddNode("Softmax", ["x"], 1, [OnnxAttr.Int("axis", 0), OnnxAttr.Int("axis", 1)], name: "sm"))!;
        Assert.That(dupAttr.NodeName, Is.EqualTo("sm"));
        Assert.That(dupAttr.Message, Does.Contain("axis"));
        var badOut = Assert.Throws<OnnxExportException>(() => b.AddOutput("nope", OnnxTensorSpec.Float("y", 2)))!;
        Assert.That(badOut.ValueName, Is.EqualTo("nope"));
        Assert.Throws<OnnxExportException>(() => b.ToModel(), "a graph without outputs");
    }

    [TestCase(12)]
    [TestCase(18)]
    public void UnsupportedOpset_IsRefused(int opset)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxGraphBuilder(opset));
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxExporter.Export(new ReLU(), OnnxTensorSpec.Float("x", 2), new OnnxExportOptions { OpsetVersion = opset }));
    }

    [Test]
    public void ModuleWithoutExporter_NamesModulePath()
    {
        var model = new Sequential(new Linear(2, 2), new Sequential(new ReLU(), new Unexportable()));
        var e = Assert.Throws<OnnxExportException>(() => OnnxExporter.Export(model, OnnxTensorSpec.Float("x", "batch", 2)))!;
        Assert.That(e.ModulePath, Is.EqualTo("1.1"));
        Assert.That(e.Message, Does.Contain("Unexportable"));
    }

    [Test]
    public void CustomExporter_CanBeRegistered()
    {
        var registry = OnnxExportRegistry.CreateWithBuiltIns()
            .Register<Unexportable>((ctx, m, inputs) => [ctx.Node("Neg", [inputs[0]])]);
        var model = new Sequential(new ReLU(), new Unexportable());
        string path = ExportChecked(model, [OnnxTensorSpec.Float("x", "batch", 3)], new OnnxExportOptions { Registry = registry });
        var x = Input(3, 4, 3);
        AssertClose("custom exporter", model.Forward(x), Runtime.RunSingle(path, "x", x));
        Assert.That(OnnxExportRegistry.Default.CanExport(typeof(Unexportable)), Is.False, "the default registry is untouched");
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

    [Test]
    public void StreamSave_EqualsFileSave()
    {
        var model = new Linear(3, 2, generator: new Generator(5));
        var spec = OnnxTensorSpec.Float("x", "batch", 3);
        string path = NewPath("file");
        model.ExportOnnx(path, spec);
        using var ms = new MemoryStream();
        model.ExportOnnx(ms, spec);
        Assert.That(ms.ToArray(), Is.EqualTo(File.ReadAllBytes(path)));
    }

    [Test]
    public void AtomicSave_LeavesNoPartialFile_AndKeepsThePreviousOne()
    {
        string path = NewPath("atomic");
        File.WriteAllText(path, "previous");
        Assert.Throws<InvalidOperationException>(() => OnnxModelWriter.SaveAtomic(path, s =>
        {
            s.Write(new byte[1000]);
            throw new InvalidOperationException("disk full");
        }));
        Assert.That(File.ReadAllText(path), Is.EqualTo("previous"));
        Assert.That(Directory.GetFiles(TempDir, "*.tmp"), Is.Empty);

        string fresh = NewPath("never");
        var b = new OnnxGraphBuilder();
        b.AddInput(OnnxTensorSpec.Float("x", 2));
        Assert.Throws<OnnxExportException>(() => b.Save(fresh), "no outputs");
        Assert.That(File.Exists(fresh), Is.False);
        Assert.That(Directory.GetFiles(TempDir, "*.tmp"), Is.Empty);
    }

    private sealed class Unexportable : Module<Tensor, Tensor>
    {
        public override Tensor Forward(Tensor input) => input.Neg();
    }
}
