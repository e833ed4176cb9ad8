using Google.Protobuf;
using MLNetDeep.Onnx;
using MLNetDeep.OnnxExport.Schema;
using MLNetDeep.Tensors;
using NUnit.Framework;

namespace MLNetDeep.Tests.Onnx.Runtime;

/// <summary>Validation errors are typed and name the node, tensor or field; the session API behaves as documented.</summary>
[TestFixture]
public sealed class OnnxLoaderTests
{
    private static ModelProto Mlp() => OnnxFuzzTests.BaseModels()[0];

    private static T Rejects<T>(ModelProto m) where T : OnnxException =>
        Assert.Throws<T>(() => OnnxModel.Load(m.ToByteArray()))!;

    [Test]
    public void UnknownOperatorIsNamed()
    {
        var m = Mlp();
        m.Graph.Node[2].OpType = "FancyOp";
        var e = Rejects<OnnxModelException>(m);
        Assert.That(e.Message, Does.Contain("FancyOp").And.Contain("not supported"));
        Assert.That(e.Location, Does.Contain("r_node"));
    }

    [Test]
    public void UndefinedInputIsNamed()
    {
        var m = Mlp();
        m.Graph.Node[1].Input[1] = "ghost";
        Assert.That(Rejects<OnnxModelException>(m).Message, Does.Contain("'ghost'").And.Contain("not defined"));
    }

    [Test]
    public void DuplicateOutputIsRejected()
    {
        var m = Mlp();
        m.Graph.Node[2].Output[0] = "h";
        Assert.That(Rejects<OnnxModelException>(m).Message, Does.Contain("'h'").And.Contain("already defined"));
    }

    [Test]
    public void WrongAttributeTypeIsNamed()
    {
        var m = Mlp();
        m.Graph.Node[3].Attribute[0].Type = AttributeProto.Types.AttributeType.Float;
        var e = Rejects<OnnxModelException>(m);
        Assert.That(e.Message, Does.Contain("attribute 'axis' must be Int").And.Contain("y_node"));
    }

    [Test]
    public void OpsetOutOfRangeIsRejected()
    {
        var m = Mlp();
        m.OpsetImport[0].Version = 99;
        Assert.That(Rejects<OnnxModelException>(m).Location, Is.EqualTo("model.opset_import"));
    }

    [Test]
    public void NodeCountLimit()
    {
        Assert.Throws<OnnxLimitException>(() => OnnxModel.Load(Mlp().ToByteArray(), new OnnxLoadOptions { MaxNodes = 2 }));
    }

    [Test]
    public void NegativeDimIsNamed()
    {
        var m = Mlp();
        m.Graph.Initializer[1].Dims[0] = -3;
        var e = Rejects<OnnxModelException>(m);
        Assert.That(e.Location, Is.EqualTo("initializer 'b'"));
        Assert.That(e.Message, Does.Contain("negative"));
    }

    [Test]
    public void RunChecksInputs()
    {
        var session = new OnnxSession(OnnxModel.Load(Mlp().ToByteArray()));
        Assert.That(session.Model.Inputs.Single().Name, Is.EqualTo("x"));
        Assert.That(session.Model.Inputs.Single().Shape, Is.EqualTo(new long?[] { null, 4 }));
        Assert.Throws<OnnxExecutionException>(() => session.Run(new Dictionary<string, Tensor>()));
        Assert.Throws<OnnxExecutionException>(() => session.Run(new Dictionary<string, Tensor> { ["x"] = Tensor.Zeros(2, 5) }));
        Assert.Throws<OnnxExecutionException>(() => session.Run(new Dictionary<string, Tensor> { ["x"] = Tensor.Zeros([2, 4], DType.Int64) }));
        Assert.Throws<OnnxExecutionException>(() => session.Run(new Dictionary<string, Tensor> { ["x"] = Tensor.Zeros(2, 4), ["extra"] = Tensor.Zeros(1) }));
    }

    [Test]
    public void RunMatchesHandComputation()
    {
        // y = softmax(relu(x·w + b)) for the base MLP.
        var session = new OnnxSession(OnnxModel.Load(Mlp().ToByteArray()));
        var x = Tensor.FromArray([1f, 2f, -1f, 0.5f, 0f, 0f, 0f, 0f], 2, 4);
        var w = Tensor.FromArray(Enumerable.Range(0, 12).Select(i => i * 0.1f - 0.5f).ToArray(), 4, 3);
        var b = Tensor.FromArray([0.1f, -0.2f, 0.3f], 3);
        var expected = F.Softmax(x.MatMul(w).Add(b).Relu(), -1).ToFloatArray();
        var y = session.Run(new Dictionary<string, Tensor> { ["x"] = x })["y"].ToFloatArray();
        Assert.That(y, Is.EqualTo(expected).Within(1e-6f));
        // Run twice: intermediate values freed after the first run do not leak into the second.
        Assert.That(session.Run(new Dictionary<string, Tensor> { ["x"] = x })["y"].ToFloatArray(), Is.EqualTo(y));
    }

    [Test]
    public void StreamLoadingStopsAtTheFileLimit()
    {
        var bytes = Mlp().ToByteArray();
        Assert.Throws<OnnxLimitException>(() => OnnxModel.Load(new MemoryStream(bytes), new OnnxLoadOptions { MaxFileBytes = bytes.Length - 1 }));
        Assert.That(OnnxModel.Load(new MemoryStream(bytes)).Outputs.Single().Name, Is.EqualTo("y"));
    }

    [Test]
    public void TensorCodecRoundTrips()
    {
        foreach (var type in new[] { OnnxElementType.Float, OnnxElementType.Double, OnnxElementType.Int64, OnnxElementType.Int32,
                     OnnxElementType.UInt8, OnnxElementType.Bool, OnnxElementType.Float16 })
        {
            var storage = OnnxValue.StorageOf(type);
            var t = Tensor.FromArray(new double[] { 0, 1, 0, 1, 1, 0 }, 2, 3).To(storage);
            var v = new OnnxValue(t, type);
            var back = OnnxTensorCodec.Decode(OnnxTensorCodec.Encode(v, "t"), "t");
            Assert.That(back.ElementType, Is.EqualTo(type));
            Assert.That(back.Shape.ToArray(), Is.EqualTo(new[] { 2, 3 }));
            Assert.That(back.Tensor.ToDoubleArray(), Is.EqualTo(t.ToDoubleArray()));
        }
    }
}
