using MLNetDeep.OnnxExport;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;
using MLNetDeep.Tensors.Nn.Quantized;
using MLNetDeep.Tests.Onnx.Export;
using NUnit.Framework;

namespace MLNetDeep.Tests.Quantization;

/// <summary>
/// ONNX export of <see cref="QuantizedRecurrent"/>: float RNN/LSTM/GRU nodes whose W and R are per-channel DequantizeLinear of
/// int8 initializers. The file passes the full checker; ONNX Runtime equals the float layer holding the dequantized weights
/// (1e-4: the same arithmetic up to float rounding) and our runtime equals ONNX Runtime (1e-5); both are within the
/// dynamic-activation error (5e-2 of the output scale, see <see cref="QuantizedRecurrentTests"/>) of the int8 module itself.
/// </summary>
public class QuantizedRecurrentOnnxTests : OnnxExportTestBase
{
    [TestCase("RNN", 2, true)]
    [TestCase("GRU", 2, true)]
    [TestCase("LSTM", 1, false)]
    [TestCase("LSTM", 2, true)]
    public void DequantizedWeightsExportMatchesRuntimes(string kind, int layers, bool bidirectional)
    {
        RecurrentModule Make(int seed) => kind switch
        {
            "RNN" => new RNN(5, 6, layers, nonlinearity: RecurrentNonlinearity.Relu, batchFirst: true, bidirectional: bidirectional, generator: new Generator((ulong)seed)),
            "GRU" => new GRU(5, 6, layers, batchFirst: true, bidirectional: bidirectional, generator: new Generator((ulong)seed)),
            _ => new LSTM(5, 6, layers, batchFirst: true, bidirectional: bidirectional, generator: new Generator((ulong)seed)),
        };
        var source = Make(1);
        var q = QuantizedRecurrent.From(source);
        var xSpec = new OnnxTensorSpec("x", DType.Float32, [OnnxDim.Dynamic("batch", 3), OnnxDim.Dynamic("sequence", 4), 5]);
        var lenSpec = new OnnxTensorSpec("lengths", DType.Int64, [OnnxDim.Dynamic("batch", 3)]) { Example = Tensor.FromArray(new long[] { 4, 2, 3 }, 3) };
        string path = ExportChecked(q, [xSpec, lenSpec]);
        var proto = MLNetDeep.OnnxExport.Schema.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        Assert.That(proto.Graph.Node.Count(n => n.OpType == kind), Is.EqualTo(layers));
        Assert.That(proto.Graph.Node.Count(n => n.OpType == "DequantizeLinear"), Is.EqualTo(2 * layers * (bidirectional ? 2 : 1)));
        Assert.That(proto.Graph.Initializer.Where(i => i.Name.Contains("_int8")).All(i => i.DataType == 3), Is.True, "int8 weights");

        // The float layer holding exactly the dequantized weights.
        var dequantized = Make(2);
        int dirs = bidirectional ? 2 : 1;
        var state = new Dictionary<string, Tensor>();
        foreach (var (name, value) in source.StateDict()) state[name] = value;
        for (int l = 0; l < layers; l++)
            for (int d = 0; d < dirs; d++)
            {
                string sfx = $"_l{l}" + (d == 1 ? "_reverse" : "");
                state["weight_ih" + sfx] = Dequantize(q.InputWeights[l * dirs + d]);
                state["weight_hh" + sfx] = Dequantize(q.HiddenWeights[l * dirs + d]);
            }
        dequantized.LoadStateDict(state);
        dequantized.Eval();

        var x = Input(40, 4, 7, 5);
        var lengths = Tensor.FromArray(new long[] { 7, 1, 4, 6 }, 4);
        var feeds = new Dictionary<string, Tensor> { ["x"] = x, ["lengths"] = lengths };
        var ort = Runtime.Run(path, feeds).Values.Single();
        var ours = new MLNetDeep.Onnx.OnnxSession(path).Run(feeds).Values.Single();
        using var _ = Tensor.NoGrad();
        var expected = dequantized switch
        {
            LSTM m => m.Forward(x, null, null, lengths).Output,
            GRU m => m.Forward(x, null, lengths).Output,
            RNN m => m.Forward(x, null, lengths).Output,
            _ => throw new InvalidOperationException(),
        };
        AssertClose("ONNX Runtime vs float layer on dequantized weights", expected, ort, 1e-4, 1e-5);
        AssertClose("our runtime vs ONNX Runtime", ort, ours, 1e-5, 1e-6);
        var int8 = q.Forward(x, null, null, lengths).Output.ToFloatArray();
        var o = ort.ToFloatArray();
        float scale = o.Max(Math.Abs), err = o.Zip(int8, (a, b) => Math.Abs(a - b)).Max();
        Assert.That(err, Is.LessThanOrEqualTo(5e-2f * scale), $"ONNX Runtime vs the int8 module: {err} of {scale}");
    }

    private static Tensor Dequantize(QuantizedLinear layer)
    {
        int per = layer.InFeatures;
        return Tensor.FromArray([.. layer.WeightValues.Select((v, i) => v * layer.WeightScales[i / per])], layer.OutFeatures, layer.InFeatures);
    }
}
