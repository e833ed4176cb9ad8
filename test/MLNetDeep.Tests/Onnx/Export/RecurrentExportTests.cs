using MLNetDeep.OnnxExport;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;
using NUnit.Framework;

namespace MLNetDeep.Tests.Onnx.Export;

[TestFixture]
public sealed class RecurrentExportTests : OnnxExportTestBase
{
    private static Generator Gen(int seed) => new((ulong)seed);

    private static IEnumerable<TestCaseData> Layers()
    {
        yield return new TestCaseData(new RNN(3, 4, generator: Gen(1)), "RNN").SetName("RNN_Tanh");
        yield return new TestCaseData(new RNN(3, 4, numLayers: 2, nonlinearity: RecurrentNonlinearity.Relu, bidirectional: true, generator: Gen(2)), "RNN").SetName("RNN_Relu_2Layers_Bidirectional");
        yield return new TestCaseData(new LSTM(3, 4, generator: Gen(3)), "LSTM").SetName("LSTM");
        yield return new TestCaseData(new LSTM(3, 5, numLayers: 2, bidirectional: true, dropout: 0.5, generator: Gen(4)), "LSTM").SetName("LSTM_2Layers_Bidirectional");
        yield return new TestCaseData(new LSTM(3, 4, peephole: true, bias: false, generator: Gen(5)), "LSTM").SetName("LSTM_Peephole_NoBias");
        yield return new TestCaseData(new GRU(3, 4, generator: Gen(6)), "GRU").SetName("GRU");
        yield return new TestCaseData(new GRU(3, 4, numLayers: 3, bidirectional: true, generator: Gen(7)), "GRU").SetName("GRU_3Layers_Bidirectional");
    }

    [TestCaseSource(nameof(Layers))]
    public void SequenceFirst_MatchesRuntime_ForOtherSequenceAndBatchSizes(RecurrentModule layer, string op)
    {
        string path = AssertExportMatches(layer, OnnxTensorSpec.Float("x", "sequence", "batch", 3),
            [Input(10, 4, 2, 3), Input(11, 7, 3, 3), Input(12, 1, 1, 3)]);
        Assert.That(CoreExportTests.Load(path).Graph.Node.Count(n => n.OpType == op), Is.EqualTo(layer.NumLayers));
    }

    [Test]
    public void BatchFirst_Gru_MatchesRuntime()
    {
        var model = new Sequential(new GRU(3, 4, batchFirst: true, bidirectional: true, generator: Gen(8)), new Linear(8, 2, generator: Gen(9)));
        string path = AssertExportMatches(model, OnnxTensorSpec.Float("x", "batch", "sequence", 3), [Input(20, 2, 5, 3), Input(21, 3, 2, 3)]);
        var dims = CoreExportTests.Load(path).Graph.Output[0].Type.TensorType.Shape.Dim;
        Assert.That(new[] { dims[0].DimParam, dims[1].DimParam }, Is.EqualTo(new[] { "batch", "sequence" }));
    }

    [TestCase("LSTM", false)]
    [TestCase("LSTM", true)]
    [TestCase("GRU", true)]
    [TestCase("RNN", true)]
    public void Lengths_BecomeSequenceLens(string kind, bool bidirectional)
    {
        RecurrentModule layer = kind switch
        {
            "LSTM" => new LSTM(3, 4, batchFirst: true, bidirectional: bidirectional, generator: Gen(10)),
            "GRU" => new GRU(3, 4, batchFirst: true, bidirectional: bidirectional, generator: Gen(11)),
            _ => new RNN(3, 4, batchFirst: true, bidirectional: bidirectional, generator: Gen(12)),
        };
        var xSpec = new OnnxTensorSpec("x", DType.Float32, [OnnxDim.Dynamic("batch", 3), OnnxDim.Dynamic("sequence", 5), 3]);
        var lenSpec = new OnnxTensorSpec("lengths", DType.Int64, [OnnxDim.Dynamic("batch", 3)])
        {
            Example = Tensor.FromArray(new long[] { 5, 2, 4 }, 3),
        };
        string path = ExportChecked(layer, [xSpec, lenSpec]);
        layer.Eval();
        var x = Input(30, 4, 6, 3);
        var lengths = Tensor.FromArray(new long[] { 6, 1, 3, 5 }, 4);
        var expected = layer switch
        {
            LSTM l => l.Forward(x, null, null, lengths).Output,
            GRU g => g.Forward(x, null, lengths).Output,
            RNN r => r.Forward(x, null, lengths).Output,
            _ => throw new InvalidOperationException(),
        };
        var actual = Runtime.Run(path, new Dictionary<string, Tensor> { ["x"] = x, ["lengths"] = lengths }).Values.Single();
        AssertClose($"{kind} with lengths", expected, actual);
    }

    [TestCase("RNN")]
    [TestCase("RNNRelu")]
    [TestCase("GRU")]
    [TestCase("LSTM")]
    public void Cells_MatchRuntime_WithAndWithoutStates(string kind)
    {
        RecurrentCellModule cell = kind switch
        {
            "RNN" => new RNNCell(3, 4, generator: Gen(40)),
            "RNNRelu" => new RNNCell(3, 4, nonlinearity: RecurrentNonlinearity.Relu, generator: Gen(41)),
            "GRU" => new GRUCell(3, 4, generator: Gen(42)),
            _ => new LSTMCell(3, 4, generator: Gen(43)),
        };
        bool lstm = cell is LSTMCell;
        var specs = new List<OnnxTensorSpec> { OnnxTensorSpec.Float("x", "batch", 3), OnnxTensorSpec.Float("h", "batch", 4) };
        if (lstm) specs.Add(OnnxTensorSpec.Float("c", "batch", 4));
        var options = new OnnxExportOptions { OutputNames = lstm ? ["h_next", "c_next"] : ["h_next"] };
        string path = ExportChecked(cell, specs, options);
        var (x, h, c) = (Input(44, 5, 3), Input(45, 5, 4), Input(46, 5, 4));
        var feeds = new Dictionary<string, Tensor> { ["x"] = x, ["h"] = h };
        if (lstm) feeds["c"] = c;
        var actual = Runtime.Run(path, feeds);
        switch (cell)
        {
            case LSTMCell l:
                var (hn, cn) = l.Forward(x, h, c);
                AssertClose("LSTMCell h", hn, actual["h_next"]);
                AssertClose("LSTMCell c", cn, actual["c_next"]);
                break;
            case GRUCell g: AssertClose("GRUCell", g.Forward(x, h), actual["h_next"]); break;
            case RNNCell r: AssertClose("RNNCell", r.Forward(x, h), actual["h_next"]); break;
        }
        // Without state inputs (zeros).
        string path0 = ExportChecked(cell, [specs[0]], options);
        var actual0 = Runtime.Run(path0, new Dictionary<string, Tensor> { ["x"] = x });
        var expected0 = cell switch
        {
            LSTMCell l => l.Forward(x).H,
            GRUCell g => g.Forward(x),
            RNNCell r => r.Forward(x),
            _ => throw new InvalidOperationException(),
        };
        AssertClose("cell without states", expected0, actual0["h_next"]);
    }
}
