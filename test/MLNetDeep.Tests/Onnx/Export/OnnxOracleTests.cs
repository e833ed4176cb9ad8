using MLNetDeep.OnnxExport;
using MLNetDeep.OnnxExport.Schema;
using MLNetDeep.Tensors;
using MLNetDeep.Tests.Oracles;
using NUnit.Framework;

namespace MLNetDeep.Tests.Onnx.Export;

/// <summary>The oracles themselves: the checker rejects broken files, ONNX Runtime round-trips values exactly and reports errors.</summary>
[TestFixture]
public sealed class OnnxOracleTests : OnnxExportTestBase
{
    [Test]
    public void Versions_AreTheReferenceOnes()
    {
        Assert.That(Checker.OnnxVersion, Does.StartWith("1."));
        Assert.That(Runtime.Version, Does.StartWith("1."));
    }

    [Test]
    public void Checker_RejectsNodeReadingAnUndefinedValue()
    {
        var b = new OnnxGraphBuilder();
        string x = b.AddInput(OnnxTensorSpec.Float("x", 2));
        b.AddOutput(b.Node("Relu", [x]), OnnxTensorSpec.Float("y", 2));
        var model = b.ToModel();
        model.Graph.Node[0].Input[0] = "undefined_value"; // bypass the builder's own check
        string path = NewPath("broken");
        OnnxModelWriter.Save(model, path);
        Assert.That(Checker.Check(path), Does.Contain("undefined_value"));
    }

    [Test]
    public void Checker_FullCheck_RejectsTypeMismatch()
    {
        var b = new OnnxGraphBuilder();
        string x = b.AddInput(OnnxTensorSpec.Float("x", 2));
        string ids = b.AddInput(OnnxTensorSpec.Int64("ids", 2));
        b.AddOutput(b.Node("Add", [x, ids]), OnnxTensorSpec.Float("y", 2));
        string path = NewPath("mismatch");
        b.Save(path);
        Assert.That(Checker.Check(path), Is.Not.Null);
    }

    [Test]
    public void Runtime_RoundTripsFloat64AndInt64Exactly()
    {
        var b = new OnnxGraphBuilder();
        string d = b.AddInput(new OnnxTensorSpec("d", DType.Float64, ["n"]));
        string i = b.AddInput(OnnxTensorSpec.Int64("i", "n"));
        b.AddOutput(b.Node("Identity", [d]), new OnnxTensorSpec("d_out", DType.Float64, ["n"]));
        b.AddOutput(b.Node("Identity", [i]), OnnxTensorSpec.Int64("i_out", "n"));
        string path = NewPath("identity");
        b.Save(path);
        Assert.That(Checker.Check(path), Is.Null);
        var dv = new[] { Math.PI, -1e-300, double.MaxValue };
        var iv = new[] { long.MinValue, 0, long.MaxValue };
        var r = Runtime.Run(path, new Dictionary<string, Tensor> { ["d"] = Tensor.FromArray(dv, 3), ["i"] = Tensor.FromArray(iv, 3) });
        Assert.That(r["d_out"].ToArray<double>(), Is.EqualTo(dv));
        Assert.That(r["i_out"].ToArray<long>(), Is.EqualTo(iv));
    }

    [Test]
    public void Runtime_ReportsErrors_AndStaysUsable()
    {
        var e = Assert.Throws<OracleException>(() => Runtime.RunSingle(Path.Combine(TempDir, "missing.onnx"), "x", Tensor.Zeros(2)))!;
        Assert.That(e.Message, Does.Contain("missing.onnx"));
        var b = new OnnxGraphBuilder();
        b.AddOutput(b.Node("Neg", [b.AddInput(OnnxTensorSpec.Float("x", "n"))]), OnnxTensorSpec.Float("y", "n"));
        string path = NewPath("neg");
        b.Save(path);
        Assert.Throws<OracleException>(() => Runtime.RunSingle(path, "wrong_name", Tensor.Zeros(2)));
        Assert.That(Runtime.RunSingle(path, "x", Tensor.FromArray(new float[] { 1, -2 }, 2)).ToFloatArray(), Is.EqualTo(new float[] { -1, 2 }));
    }
}
