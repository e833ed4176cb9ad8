using MLNetDeep.OnnxExport;
using MLNetDeep.OnnxExport.Schema;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;
using NUnit.Framework;

namespace MLNetDeep.Tests.Onnx.Export;

/// <summary>The graph builder and exporter on their own (no oracle): names, validation errors, saving.</summary>
[TestFixture]
public sealed class GraphBuilderTests
{
    private string _dir = null!;

    [OneTimeSetUp]
    public void MakeDir()
    {
        _dir = Path.Combine(Path.GetTempPath(), "mlnetdeep-onnx-builder-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [OneTimeTearDown]
    public void RemoveDir() => Directory.Delete(_dir, recursive: true);

    private string NewPath(string stem) => Path.Combine(_dir, stem + "-" + Guid.NewGuid().ToString("N")[..8] + ".onnx");

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
        Assert.That(Directory.GetFiles(_dir, "*.tmp"), Is.Empty);

        string fresh = NewPath("never");
        var b = new OnnxGraphBuilder();
        b.AddInput(OnnxTensorSpec.Float("x", 2));
        Assert.Throws<OnnxExportException>(() => b.Save(fresh), "no outputs");
        Assert.That(File.Exists(fresh), Is.False);
        Assert.That(Directory.GetFiles(_dir, "*.tmp"), Is.Empty);
    }

    [Test]
    public void OutputAxes_FollowInputAxes_OrGetGenericNames()
    {
        var model = new Sequential(new Linear(4, 3), new Flatten(0, 1));
        var m = OnnxExporter.Export(model, OnnxTensorSpec.Float("x", "batch", "sequence", 4));
        var dims = m.Graph.Output[0].Type.TensorType.Shape.Dim;
        Assert.That(dims, Has.Count.EqualTo(2));
        Assert.That(dims[0].DimParam, Is.EqualTo("output_dim0"), "batch·sequence follows no single input axis");
        Assert.That(dims[1].DimValue, Is.EqualTo(3));
        var m2 = OnnxExporter.Export(new Linear(4, 3), OnnxTensorSpec.Float("x", OnnxDim.Dynamic("batch", 7), 4));
        Assert.That(m2.Graph.Output[0].Type.TensorType.Shape.Dim[0].DimParam, Is.EqualTo("batch"));
    }

    internal sealed class Unexportable : Module<Tensor, Tensor>
    {
        public override Tensor Forward(Tensor input) => input.Neg();
    }
}
