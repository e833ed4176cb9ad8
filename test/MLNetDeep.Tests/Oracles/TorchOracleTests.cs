using System.Text.Json.Nodes;
using NUnit.Framework;

namespace MLNetDeep.Tests.Oracles;

[TestFixture]
public sealed class TorchOracleTests
{
    private TorchOracle _oracle = null!;

    [OneTimeSetUp]
    public void StartOracle() => _oracle = TorchOracle.Start();

    [OneTimeTearDown]
    public void StopOracle() => _oracle?.Dispose();

    [Test]
    public void Ping_ReportsTorchVersion()
    {
        var version = _oracle.Ping();
        Assert.That(version, Does.StartWith("1.13"));
        Assert.That(_oracle.TorchVersion, Is.EqualTo(version));
    }

    [Test]
    public void Call_Mul_ReturnsProductAndAnalyticGrads()
    {
        var a = OracleTensor.F32([1f, 2f, -3f, 0.5f], 2, 2);
        var b = OracleTensor.F32([4f, -1f, 2f, 8f], 2, 2);
        var g = OracleTensor.F32([1f, 0.5f, -2f, 3f], 2, 2);

        var r = _oracle.Call("torch.mul", [a, b], gradOutputs: [g]);

        Assert.That(r.Outputs, Has.Count.EqualTo(1));
        Assert.That(r.Output().Shape, Is.EqualTo(new[] { 2, 2 }));
        Assert.That(r.Output().DType, Is.EqualTo("float32"));
        Assert.That(r.Output().ToFloatArray(), Is.EqualTo(new[] { 4f, -2f, -6f, 4f }));
        Assert.That(r.Grads, Has.Count.EqualTo(2));
        // d(a*b)/da = g*b, d(a*b)/db = g*a
        Assert.That(r.Grad(0).ToFloatArray(), Is.EqualTo(new[] { 4f, -0.5f, -4f, 24f }));
        Assert.That(r.Grad(1).ToFloatArray(), Is.EqualTo(new[] { 1f, 1f, 6f, 1.5f }));
    }

    [Test]
    public void Call_NoGradInput_HasNullGrad()
    {
        var a = OracleTensor.F64([1, 2], 2);
        var b = OracleTensor.F64([3, 4], 2).NoGrad();
        var r = _oracle.Call("torch.Tensor.__mul__", [a, b], gradOutputs: [OracleTensor.F64([1, 1], 2)]);
        Assert.That(r.Grad(0).ToDoubleArray(), Is.EqualTo(new[] { 3.0, 4.0 }));
        Assert.That(r.Grads[1], Is.Null);
    }

    [Test]
    public void Call_MaxWithDim_ReturnsValuesAndIndices()
    {
        var x = OracleTensor.F32([1f, 7f, 3f, 9f, 2f, 4f], 2, 3);
        var r = _oracle.Call("torch.max", [x], args: [1],
            gradOutputs: [OracleTensor.F32([10f, 20f], 2), null]);

        Assert.That(r.Outputs, Has.Count.EqualTo(2));
        Assert.That(r.Output(0).ToFloatArray(), Is.EqualTo(new[] { 7f, 9f }));
        Assert.That(r.Output(1).DType, Is.EqualTo("int64"));
        Assert.That(r.Output(1).ToLongArray(), Is.EqualTo(new long[] { 1, 0 }));
        Assert.That(r.Grad(0).ToFloatArray(), Is.EqualTo(new[] { 0f, 10f, 0f, 20f, 0f, 0f }));
    }

    [Test]
    public void Call_CatWithListInput_GradsSplitBack()
    {
        var a = OracleTensor.F32([1f, 2f], 1, 2);
        var b = OracleTensor.F32([3f, 4f, 5f, 6f], 2, 2);
        var r = _oracle.Call("torch.cat", [new[] { a, b }], kwargs: new Dictionary<string, object?> { ["dim"] = 0 },
            gradOutputs: [OracleTensor.F32([1f, 2f, 3f, 4f, 5f, 6f], 3, 2)]);

        Assert.That(r.Output().Shape, Is.EqualTo(new[] { 3, 2 }));
        Assert.That(r.Output().ToFloatArray(), Is.EqualTo(new[] { 1f, 2f, 3f, 4f, 5f, 6f }));
        Assert.That(r.Grad(0).ToFloatArray(), Is.EqualTo(new[] { 1f, 2f }));
        Assert.That(r.Grad(1).ToFloatArray(), Is.EqualTo(new[] { 3f, 4f, 5f, 6f }));
    }

    [Test]
    public void Call_TensorsInArgsAndKwargs_GradsInEncounterOrder()
    {
        // torch.addcmul(input, tensor1, tensor2, value=v) = input + v * tensor1 * tensor2
        var input = OracleTensor.F64([1, 1], 2);
        var t1 = OracleTensor.F64([2, 3], 2);
        var t2 = OracleTensor.F64([5, 7], 2);
        var r = _oracle.Call("torch.addcmul", [input], args: [t1],
            kwargs: new Dictionary<string, object?> { ["tensor2"] = t2, ["value"] = 0.5 },
            gradOutputs: [OracleTensor.F64([1, 1], 2)]);

        Assert.That(r.Output().ToDoubleArray(), Is.EqualTo(new[] { 6.0, 11.5 }));
        Assert.That(r.Grads, Has.Count.EqualTo(3));
        Assert.That(r.Grad(0).ToDoubleArray(), Is.EqualTo(new[] { 1.0, 1.0 }));
        Assert.That(r.Grad(1).ToDoubleArray(), Is.EqualTo(new[] { 2.5, 3.5 }));
        Assert.That(r.Grad(2).ToDoubleArray(), Is.EqualTo(new[] { 1.0, 1.5 }));
    }

    [Test]
    public void Call_DTypeAndInfinityArguments()
    {
        var x = OracleTensor.F32([1f, -3f, 2f], 3);
        var sum = _oracle.Call("torch.sum", [x], kwargs: new Dictionary<string, object?> { ["dtype"] = OracleDType.Float64 });
        Assert.That(sum.Output().DType, Is.EqualTo("float64"));
        Assert.That(sum.Output().Shape, Is.Empty);
        Assert.That(sum.Output().Item(), Is.EqualTo(0.0));

        var norm = _oracle.Call("torch.linalg.vector_norm", [x], kwargs: new Dictionary<string, object?> { ["ord"] = double.PositiveInfinity });
        Assert.That(norm.Output().Item(), Is.EqualTo(3.0));
    }

    [Test]
    public void Module_Linear_MatchesXWtPlusB()
    {
        int n = 3, inF = 4, outF = 2;
        var xs = Enumerable.Range(0, n * inF).Select(i => 0.25f * i - 1f).ToArray();
        var ws = Enumerable.Range(0, outF * inF).Select(i => 0.1f * i - 0.3f).ToArray();
        var bs = new[] { 0.5f, -1.5f };
        var r = _oracle.Module("torch.nn.Linear", [OracleTensor.F32(xs, n, inF)], args: [inF, outF],
            state: new Dictionary<string, OracleTensor> { ["weight"] = OracleTensor.F32(ws, outF, inF), ["bias"] = OracleTensor.F32(bs, outF) },
            gradOutputs: [OracleTensor.F32(Enumerable.Repeat(1f, n * outF).ToArray(), n, outF)]);

        Assert.That(r.MissingKeys, Is.Empty);
        var y = r.Output();
        Assert.That(y.Shape, Is.EqualTo(new[] { n, outF }));
        for (int i = 0; i < n; i++)
            for (int o = 0; o < outF; o++)
            {
                double expected = bs[o];
                for (int k = 0; k < inF; k++) expected += (double)xs[i * inF + k] * ws[o * inF + k];
                Assert.That(y.Data[i * outF + o], Is.EqualTo(expected).Within(1e-5), $"y[{i},{o}]");
            }
        // with all-ones grad output: dL/db = n per output, dL/dW[o,k] = sum_i x[i,k]
        Assert.That(r.ParamGrad("bias").ToFloatArray(), Is.EqualTo(new[] { 3f, 3f }));
        var gw = r.ParamGrad("weight");
        Assert.That(gw.Shape, Is.EqualTo(new[] { outF, inF }));
        for (int k = 0; k < inF; k++)
        {
            double colSum = 0;
            for (int i = 0; i < n; i++) colSum += xs[i * inF + k];
            Assert.That(gw.Data[k], Is.EqualTo(colSum).Within(1e-5));
        }
        Assert.That(r.Grad(0).Shape, Is.EqualTo(new[] { n, inF }));
        Assert.That(r.StateAfter.Keys, Is.EquivalentTo(new[] { "weight", "bias" }));
    }

    [Test]
    public void Module_BatchNormTrain_UpdatesRunningStatsInStateAfter()
    {
        var x = OracleTensor.F32([1f, 10f, 3f, 20f], 2, 2);
        var r = _oracle.Module("torch.nn.BatchNorm1d", [x], args: [2], train: true);
        Assert.That(r.MissingKeys, Is.Empty); // no state given: nothing loaded, default init
        // running_mean = 0.9 * 0 + 0.1 * batch mean
        Assert.That(r.StateAfter["running_mean"].ToDoubleArray(), Is.EqualTo(new[] { 0.2, 1.5 }).Within(1e-6));
        Assert.That(r.StateAfter["num_batches_tracked"].ToLongArray(), Is.EqualTo(new long[] { 1 }));
    }

    [Test]
    public void Optim_SgdOneStep_IsPMinusLrG()
    {
        var p = OracleTensor.F32([1f, -2f, 3f], 3);
        var g = OracleTensor.F32([0.5f, 1f, -4f], 3);
        var r = _oracle.Optim("torch.optim.SGD", new Dictionary<string, object?> { ["lr"] = 0.1 }, [p], [[g]]);

        Assert.That(r.ParamsPerStep, Has.Count.EqualTo(1));
        var after = r.ParamsPerStep[0][0].ToFloatArray();
        var expected = new[] { 1f - 0.1f * 0.5f, -2f - 0.1f * 1f, 3f - 0.1f * -4f };
        Assert.That(after, Is.EqualTo(expected).Within(1e-6));
        Assert.That(r.LrPerStep, Is.EqualTo(new[] { 0.1 }));
        Assert.That(r.TotalNorms, Is.Null);
    }

    [Test]
    public void Optim_SchedulerAndClipNorm_ReportLrBeforeStepAndTotalNorms()
    {
        var p = OracleTensor.F64([0, 0], 2);
        var g = OracleTensor.F64([3, 4], 2);
        var r = _oracle.Optim("torch.optim.SGD", new Dictionary<string, object?> { ["lr"] = 1.0 }, [p], [[g], [g]],
            scheduler: new OracleScheduler("torch.optim.lr_scheduler.StepLR", new Dictionary<string, object?> { ["step_size"] = 1, ["gamma"] = 0.5 }),
            clip: OracleClip.ByNorm(1.0));

        Assert.That(r.LrPerStep, Is.EqualTo(new[] { 1.0, 0.5 }));
        Assert.That(r.TotalNorms, Is.EqualTo(new[] { 5.0, 5.0 }));
        // clipped grad = (0.6, 0.8) (up to clip_grad_norm_'s 1e-6 epsilon)
        Assert.That(r.ParamsPerStep[0][0].ToDoubleArray(), Is.EqualTo(new[] { -0.6, -0.8 }).Within(1e-6));
        Assert.That(r.ParamsPerStep[1][0].ToDoubleArray(), Is.EqualTo(new[] { -0.9, -1.2 }).Within(1e-6));
    }

    [Test]
    public void TrainMlp_TwoSgdSteps_ReturnsLossesAndFinalWeights()
    {
        var layers = new[]
        {
            new OracleLinearLayer(OracleTensor.F32([0.1f, -0.2f, 0.3f, 0.4f, -0.5f, 0.6f], 3, 2), OracleTensor.F32([0f, 0.1f, -0.1f], 3)),
            new OracleLinearLayer(OracleTensor.F32([0.2f, 0.1f, -0.3f, -0.4f, 0.5f, 0.2f], 2, 3), OracleTensor.F32([0.05f, -0.05f], 2)),
        };
        var x = OracleTensor.F32([1f, 0f, 0f, 1f, 1f, 1f, -1f, 2f, 0.5f, -0.5f], 5, 2);
        var y = OracleTensor.I64([0, 1, 1, 0, 1], 5);
        var r = _oracle.TrainMlp(layers, "relu", x, y, batchSize: 2, steps: 2,
            optim: "torch.optim.SGD", optimKwargs: new Dictionary<string, object?> { ["lr"] = 0.1 });

        Assert.That(r.Losses, Has.Count.EqualTo(2));
        Assert.That(r.Losses, Has.All.GreaterThan(0.0));
        Assert.That(r.Final, Has.Count.EqualTo(2));
        Assert.That(r.Final[0].Weight.Shape, Is.EqualTo(new[] { 3, 2 }));
        Assert.That(r.Final[0].Bias!.Shape, Is.EqualTo(new[] { 3 }));
        Assert.That(r.Final[1].Weight.Shape, Is.EqualTo(new[] { 2, 3 }));
        Assert.That(r.Final[1].Bias!.Shape, Is.EqualTo(new[] { 2 }));
        Assert.That(r.Final[1].Weight.ToFloatArray(), Is.Not.EqualTo(layers[1].Weight.ToFloatArray()));
    }

    [Test]
    public void BadFunctionName_ThrowsCleanly_AndProcessKeepsWorking()
    {
        var ex = Assert.Throws<OracleException>(() => _oracle.Call("os.system", [], args: ["true"]))!;
        Assert.That(ex.PythonError, Does.Contain("must start with 'torch.'"));

        // torch re-exports os; walking into a non-torch module is refused too.
        var ex2 = Assert.Throws<OracleException>(() => _oracle.Call("torch.os.system", [], args: ["true"]))!;
        Assert.That(ex2.PythonError, Does.Contain("not a torch module"));

        var ex3 = Assert.Throws<OracleException>(() => _oracle.Call("torch.Tensor.__class__", []))!;
        Assert.That(ex3.PythonError, Does.Contain("dunder"));

        // a Python-side exception inside torch is reported with its traceback
        var ex4 = Assert.Throws<OracleException>(() =>
            _oracle.Call("torch.matmul", [OracleTensor.F32([1f, 2f], 1, 2), OracleTensor.F32([1f, 2f, 3f], 3, 1)]))!;
        Assert.That(ex4.PythonError, Does.Contain("Traceback"));

        Assert.That(_oracle.Ping(), Does.StartWith("1.13"));
        var r = _oracle.Call("torch.neg", [OracleTensor.F32([2f], 1)]);
        Assert.That(r.Output().ToFloatArray(), Is.EqualTo(new[] { -2f }));
    }

    [Test]
    public void NonFiniteValues_RoundTrip()
    {
        var x = OracleTensor.F32([float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1.5f], 4);
        var r = _oracle.Call("torch.clone", [x], gradOutputs: [OracleTensor.F32([float.NaN, 1f, 1f, 1f], 4)]);
        var y = r.Output().ToFloatArray();
        Assert.That(float.IsNaN(y[0]));
        Assert.That(y[1], Is.EqualTo(float.PositiveInfinity));
        Assert.That(y[2], Is.EqualTo(float.NegativeInfinity));
        Assert.That(y[3], Is.EqualTo(1.5f));
        Assert.That(float.IsNaN(r.Grad(0).ToFloatArray()[0]));

        var json = x.ToJson().ToJsonString();
        Assert.That(json, Does.Contain("\"NaN\"").And.Contain("\"Infinity\"").And.Contain("\"-Infinity\""));
        var back = OracleTensor.FromJson(JsonNode.Parse(json)!);
        Assert.That(back.ToFloatArray(), Is.EqualTo(x.ToFloatArray()));
    }

    [Test]
    public void Float32Values_RoundTripBitExact()
    {
        var values = new[] { 0.1f, 1f / 3f, float.Epsilon, float.MaxValue, -1.17549435e-38f, 16777217f };
        var r = _oracle.Call("torch.clone", [OracleTensor.F32(values, values.Length)]);
        Assert.That(r.Output().ToFloatArray(), Is.EqualTo(values));
    }

    [Test]
    public void RawRequest_UnknownKind_Throws()
    {
        var ex = Assert.Throws<OracleException>(() => _oracle.Request(new JsonObject { ["kind"] = "nope" }))!;
        Assert.That(ex.Message, Does.Contain("unknown request kind"));
    }

    [Test]
    public void Timeout_KillsProcess_AndNextRequestRestarts()
    {
        using var oracle = TorchOracle.Start();
        var big = OracleTensor.F64(new double[512 * 512], 512, 512);
        oracle.Timeout = TimeSpan.FromMilliseconds(1);
        var ex = Assert.Throws<OracleException>(() => oracle.Call("torch.matmul", [big, big]))!;
        Assert.That(ex.Message, Does.Contain("timed out"));
        oracle.Timeout = TimeSpan.FromSeconds(120);
        Assert.That(oracle.Ping(), Does.StartWith("1.13"));
    }
}
