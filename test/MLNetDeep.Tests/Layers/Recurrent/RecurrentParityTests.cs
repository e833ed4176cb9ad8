using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;
using MLNetDeep.Tests.Oracles;
using P = MLNetDeep.Tests.Parity.Parity;
using NUnit.Framework;

namespace MLNetDeep.Tests.Layers.Recurrent;

/// <summary>
/// RNN (tanh, relu), LSTM and GRU against torch.nn with our weights copied across: outputs, h_n (c_n),
/// and the gradients of the input, the initial states and every parameter. Variable-length batches go
/// through pack_padded_sequence(enforce_sorted=False) / pad_packed_sequence on the torch side.
/// </summary>
[TestFixture]
public class RecurrentParityTests
{
    private TorchOracle _oracle = null!;

    [OneTimeSetUp] public void StartOracle() => _oracle = TorchOracle.Start();

    [OneTimeTearDown] public void StopOracle() => _oracle?.Dispose();

    public enum Kind { RnnTanh, RnnRelu, Lstm, Gru }

    public sealed record Case(Kind Kind, int Layers = 1, bool Bidirectional = false, bool BatchFirst = false, bool Bias = true,
        bool InitialState = false, int[]? Lengths = null, int Steps = 5, int Batch = 3, int Input = 4, int Hidden = 6);

    public static IEnumerable<TestCaseData> Cases()
    {
        foreach (var k in Enum.GetValues<Kind>())
        {
            yield return new TestCaseData(new Case(k)).SetName($"RecurrentParity_{k}_Single");
            yield return new TestCaseData(new Case(k, Layers: 2, Bidirectional: true, InitialState: true)).SetName($"RecurrentParity_{k}_TwoLayerBidirectional_InitialState");
            yield return new TestCaseData(new Case(k, BatchFirst: true, Bias: false, InitialState: true)).SetName($"RecurrentParity_{k}_BatchFirst_NoBias");
            yield return new TestCaseData(new Case(k, Layers: 2, Bidirectional: true, BatchFirst: true, InitialState: true, Lengths: [3, 5, 1, 4], Batch: 4))
                .SetName($"RecurrentParity_{k}_Packed_BatchFirst_Bidirectional");
            yield return new TestCaseData(new Case(k, Bidirectional: true, Lengths: [2, 5, 4])).SetName($"RecurrentParity_{k}_Packed_TimeMajor");
            // A hidden size past the SIMD width, with a ragged tail, exercises the vectorized gate loops.
            yield return new TestCaseData(new Case(k, InitialState: true, Lengths: [4, 2], Batch: 2, Hidden: 37)).SetName($"RecurrentParity_{k}_Wide_Packed");
        }
    }

    private static Tensor R(int seed, params int[] shape) => Tensor.Randn(shape, new Generator((ulong)seed));

    [TestCaseSource(nameof(Cases))]
    public void MatchesPyTorch(Case c)
    {
        var g = new Generator(42);
        RecurrentModule m = c.Kind switch
        {
            Kind.RnnTanh => new RNN(c.Input, c.Hidden, c.Layers, RecurrentNonlinearity.Tanh, c.Bias, c.BatchFirst, 0, c.Bidirectional, g),
            Kind.RnnRelu => new RNN(c.Input, c.Hidden, c.Layers, RecurrentNonlinearity.Relu, c.Bias, c.BatchFirst, 0, c.Bidirectional, g),
            Kind.Lstm => new LSTM(c.Input, c.Hidden, c.Layers, c.Bias, c.BatchFirst, 0, c.Bidirectional, generator: g),
            _ => new GRU(c.Input, c.Hidden, c.Layers, c.Bias, c.BatchFirst, 0, c.Bidirectional, g),
        };
        int ld = c.Layers * (c.Bidirectional ? 2 : 1);
        var x = (c.BatchFirst ? R(1, c.Batch, c.Steps, c.Input) : R(1, c.Steps, c.Batch, c.Input)).RequiresGrad_();
        var h0 = c.InitialState ? R(2, ld, c.Batch, c.Hidden).RequiresGrad_() : null;
        var c0 = c.InitialState && c.Kind == Kind.Lstm ? R(3, ld, c.Batch, c.Hidden).RequiresGrad_() : null;
        var lengths = c.Lengths is null ? null : Tensor.FromArray(c.Lengths.Select(v => (long)v).ToArray());
        var result = m switch
        {
            LSTM lstm => lstm.Forward(x, h0, c0, lengths),
            RNN rnn => rnn.Forward(x, h0, lengths),
            GRU gru => gru.Forward(x, h0, lengths),
            _ => throw new InvalidOperationException(),
        };
        var outputs = new List<Tensor> { result.Output, result.HN };
        if (result.CN is not null) outputs.Add(result.CN);
        var upstream = outputs.Select((o, i) => P.UpstreamGradient(o, 70 + i)!).ToList();

        var kwargs = new Dictionary<string, object?> { ["num_layers"] = c.Layers, ["bias"] = c.Bias, ["batch_first"] = c.BatchFirst, ["bidirectional"] = c.Bidirectional };
        if (c.Kind == Kind.RnnRelu) kwargs["nonlinearity"] = "relu";
        string torchName = c.Kind switch { Kind.Lstm => "torch.nn.LSTM", Kind.Gru => "torch.nn.GRU", _ => "torch.nn.RNN" };
        var inputs = new List<object?> { P.ToOracle(x) };
        if (c0 is not null) inputs.Add(new object?[] { P.ToOracle(h0!), P.ToOracle(c0) });
        else if (h0 is not null) inputs.Add(P.ToOracle(h0));
        var state = m.StateDict().ToDictionary(kv => kv.Key, kv => P.ToOracle(kv.Value, false));
        var expected = _oracle.Module(torchName, inputs, [c.Input, c.Hidden], kwargs, state,
            gradOutputs: upstream.Select(u => (OracleTensor?)P.ToOracle(u, false)).ToList(),
            tupleInputs: true, packedLengths: c.Lengths, packedBatchFirst: c.BatchFirst);

        Assert.That(expected.MissingKeys, Is.Empty);
        Assert.That(expected.UnexpectedKeys, Is.Empty);
        P.AssertClose("output", expected.Output(0), result.Output);
        P.AssertClose("h_n", expected.Output(1), result.HN);
        if (result.CN is not null) P.AssertClose("c_n", expected.Output(2), result.CN);

        Tensor loss = outputs[0].Mul(upstream[0]).Sum();
        for (int i = 1; i < outputs.Count; i++) loss = loss.Add(outputs[i].Mul(upstream[i]).Sum());
        loss.Backward();
        P.AssertClose("input gradient", expected.Grad(0), x.Grad);
        if (h0 is not null) P.AssertClose("h0 gradient", expected.Grad(1), h0.Grad);
        if (c0 is not null) P.AssertClose("c0 gradient", expected.Grad(2), c0.Grad);
        foreach (var (name, p) in m.NamedParameters())
            P.AssertClose($"gradient of {name}", expected.ParamGrad(name), p.Grad ?? Tensor.ZerosLike(p));
    }

    public static IEnumerable<TestCaseData> CellCases()
    {
        yield return new TestCaseData("torch.nn.RNNCell", "tanh", true).SetName("CellParity_RNNCell_Tanh");
        yield return new TestCaseData("torch.nn.RNNCell", "relu", false).SetName("CellParity_RNNCell_Relu_NoBias");
        yield return new TestCaseData("torch.nn.LSTMCell", null, true).SetName("CellParity_LSTMCell");
        yield return new TestCaseData("torch.nn.GRUCell", null, true).SetName("CellParity_GRUCell");
    }

    [TestCaseSource(nameof(CellCases))]
    public void CellsMatchPyTorch(string torchName, string? nonlinearity, bool bias)
    {
        const int batch = 3, input = 5, hidden = 4;
        var g = new Generator(9);
        var x = R(11, batch, input).RequiresGrad_();
        var h = R(12, batch, hidden).RequiresGrad_();
        var cx = R(13, batch, hidden).RequiresGrad_();
        RecurrentCellModule cell;
        List<Tensor> outputs;
        var inputs = new List<object?> { P.ToOracle(x) };
        switch (torchName)
        {
            case "torch.nn.LSTMCell":
            {
                var lstm = new LSTMCell(input, hidden, bias, g);
                var (hn, cn) = lstm.Forward(x, h, cx);
                (cell, outputs) = (lstm, [hn, cn]);
                inputs.Add(new object?[] { P.ToOracle(h), P.ToOracle(cx) });
                break;
            }
            case "torch.nn.GRUCell":
            {
                var gru = new GRUCell(input, hidden, bias, g);
                (cell, outputs) = (gru, [gru.Forward(x, h)]);
                inputs.Add(P.ToOracle(h));
                break;
            }
            default:
            {
                var rnn = new RNNCell(input, hidden, bias, nonlinearity == "relu" ? RecurrentNonlinearity.Relu : RecurrentNonlinearity.Tanh, g);
                (cell, outputs) = (rnn, [rnn.Forward(x, h)]);
                inputs.Add(P.ToOracle(h));
                break;
            }
        }
        var kwargs = new Dictionary<string, object?> { ["bias"] = bias };
        if (nonlinearity is not null) kwargs["nonlinearity"] = nonlinearity;
        var upstream = outputs.Select((o, i) => P.UpstreamGradient(o, 80 + i)!).ToList();
        var state = cell.StateDict().ToDictionary(kv => kv.Key, kv => P.ToOracle(kv.Value, false));
        var expected = _oracle.Module(torchName, inputs, [input, hidden], kwargs, state,
            gradOutputs: upstream.Select(u => (OracleTensor?)P.ToOracle(u, false)).ToList(), tupleInputs: true);
        Assert.That(expected.MissingKeys, Is.Empty);
        Assert.That(expected.UnexpectedKeys, Is.Empty);
        for (int i = 0; i < outputs.Count; i++) P.AssertClose($"output {i}", expected.Output(i), outputs[i]);
        Tensor loss = outputs[0].Mul(upstream[0]).Sum();
        for (int i = 1; i < outputs.Count; i++) loss = loss.Add(outputs[i].Mul(upstream[i]).Sum());
        loss.Backward();
        P.AssertClose("input gradient", expected.Grad(0), x.Grad);
        P.AssertClose("h gradient", expected.Grad(1), h.Grad);
        if (outputs.Count == 2) P.AssertClose("c gradient", expected.Grad(2), cx.Grad);
        foreach (var (name, p) in cell.NamedParameters())
            P.AssertClose($"gradient of {name}", expected.ParamGrad(name), p.Grad ?? Tensor.ZerosLike(p));
    }

    [Test]
    public void UnbatchedInputsMatchPyTorch()
    {
        // A bidirectional 2-layer LSTM on one [T, in] sequence with [L·D, H] states.
        var lstm = new LSTM(3, 5, numLayers: 2, bidirectional: true, generator: new Generator(4));
        var x = R(21, 6, 3).RequiresGrad_();
        var h0 = R(22, 4, 5).RequiresGrad_();
        var c0 = R(23, 4, 5).RequiresGrad_();
        var r = lstm.Forward(x, h0, c0);
        Assert.That(r.Output.Shape.ToArray(), Is.EqualTo(new[] { 6, 10 }));
        var outputs = new List<Tensor> { r.Output, r.HN, r.CN! };
        var upstream = outputs.Select((o, i) => P.UpstreamGradient(o, 90 + i)!).ToList();
        var state = lstm.StateDict().ToDictionary(kv => kv.Key, kv => P.ToOracle(kv.Value, false));
        var expected = _oracle.Module("torch.nn.LSTM", [P.ToOracle(x), new object?[] { P.ToOracle(h0), P.ToOracle(c0) }], [3, 5],
            new Dictionary<string, object?> { ["num_layers"] = 2, ["bidirectional"] = true }, state,
            gradOutputs: upstream.Select(u => (OracleTensor?)P.ToOracle(u, false)).ToList(), tupleInputs: true);
        for (int i = 0; i < 3; i++) P.AssertClose($"output {i}", expected.Output(i), outputs[i]);
        Tensor loss = outputs[0].Mul(upstream[0]).Sum().Add(outputs[1].Mul(upstream[1]).Sum()).Add(outputs[2].Mul(upstream[2]).Sum());
        loss.Backward();
        P.AssertClose("input gradient", expected.Grad(0), x.Grad);
        P.AssertClose("h0 gradient", expected.Grad(1), h0.Grad);
        P.AssertClose("c0 gradient", expected.Grad(2), c0.Grad);
        foreach (var (name, p) in lstm.NamedParameters()) P.AssertClose($"gradient of {name}", expected.ParamGrad(name), p.Grad);

        // A GRU cell on one [in] vector.
        var cell = new GRUCell(4, 3, generator: new Generator(5));
        var xi = R(24, 4).RequiresGrad_();
        var hi = R(25, 3).RequiresGrad_();
        var hn = cell.Forward(xi, hi);
        Assert.That(hn.Shape.ToArray(), Is.EqualTo(new[] { 3 }));
        var up = P.UpstreamGradient(hn, 95)!;
        var cellState = cell.StateDict().ToDictionary(kv => kv.Key, kv => P.ToOracle(kv.Value, false));
        var e2 = _oracle.Module("torch.nn.GRUCell", [P.ToOracle(xi), P.ToOracle(hi)], [4, 3], null, cellState, gradOutputs: [P.ToOracle(up, false)]);
        P.AssertClose("cell output", e2.Output(0), hn);
        hn.Mul(up).Sum().Backward();
        P.AssertClose("cell input gradient", e2.Grad(0), xi.Grad);
        P.AssertClose("cell h gradient", e2.Grad(1), hi.Grad);
        foreach (var (name, p) in cell.NamedParameters()) P.AssertClose($"cell gradient of {name}", e2.ParamGrad(name), p.Grad);
    }
}
