using System.CommandLine;
using System.Diagnostics;
using MLNetDeep.Cli;
using MLNetDeep.Cli.Npy;
using MLNetDeep.Estimators.Text;
using MLNetDeep.Onnx;
using MLNetDeep.OnnxExport;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;
using MLNetDeep.Tests.Pipeline;
using NUnit.Framework;

namespace MLNetDeep.Tests.OnnxIntegration;

/// <summary>The CLI verbs in-process (onnx info, onnx run, export-onnx) and the .npy reader/writer (checked against numpy).</summary>
public class OnnxCliTests
{
    private string _dir = null!;
    private string _mlp = null!;

    [OneTimeSetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "mlnd-onnx-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        _mlp = Path.Combine(_dir, "mlp.onnx");
        var net = new Sequential(new Linear(4, 3, generator: new Generator(1)), new ReLU());
        var options = new OnnxExportOptions { OutputNames = ["y"] };
        options.ModelInfo.MetadataProps["note"] = "cli test";
        OnnxExporter.Export(net, _mlp, [OnnxTensorSpec.Float("x", "batch", 4)], options);
    }

    [OneTimeTearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    internal static (int Code, string Out, string Err) Cli(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Program.BuildRoot().Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    [Test]
    public void OnnxInfo_ListsInputsOutputsOpsetsProducerAndOps()
    {
        var (code, output, error) = Cli("onnx", "info", _mlp);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(output, Does.Contain("x: float[batch, 4]"));
        Assert.That(output, Does.Contain("y: float[batch, 3]"));
        Assert.That(output, Does.Contain("ai.onnx 17"));
        Assert.That(output, Does.Contain("producer MLNetDeep"));
        Assert.That(output, Does.Contain("Gemm: 1").And.Contain("Relu: 1"));
        Assert.That(output, Does.Contain("metadata note = cli test"));
    }

    [Test]
    public void OnnxRun_ReadsNpyInputs_WritesNpyOutputs()
    {
        var x = Tensor.FromArray(new float[] { 1, -2, 3, 0.5f, 0, 1, -1, 2, 4, 4, -4, 1 }, 3, 4);
        string input = Path.Combine(_dir, "x.npy");
        NpyFile.Write(input, x);
        string outDir = Path.Combine(_dir, "run-out");
        var (code, output, error) = Cli("onnx", "run", _mlp, "--input", $"x={input}", "--output-dir", outDir);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(output, Does.Contain("y: float32[3, 3]"));
        var y = NpyFile.Read(Path.Combine(outDir, "y.npy"));
        var expected = new OnnxSession(_mlp).Run(new Dictionary<string, Tensor> { ["x"] = x })["y"];
        Assert.That(y.Shape.ToArray(), Is.EqualTo(new[] { 3, 3 }));
        Assert.That(y.ToArray<float>(), Is.EqualTo(expected.ToArray<float>()));

        var (bad, _, badError) = Cli("onnx", "run", _mlp, "--input", $"z={input}", "--output-dir", outDir);
        Assert.That(bad, Is.Not.EqualTo(0));
        Assert.That(badError, Does.Contain("'z'"));
    }

    [Test]
    public void ExportOnnx_Verb_WritesAModelOurRuntimeLoads()
    {
        var ctx = new DeepContext(seed: 3);
        var pipeline = ctx.Transforms.Text.TokenizeIntoWords("Words", "Text")
            .Append(ctx.Transforms.Conversion.MapValueToKey("Tokens", "Words"))
            .Append(ctx.Transforms.Conversion.MapValueToKey("Label"))
            .Append(ctx.Text.Trainers.TextClassifier(new TextClassifierOptions { NumberOfEpochs = 1, EmbeddingDimension = 4, HiddenLayerSize = 4 }));
        var data = PipelineTestData.View(ctx, 40);
        var model = pipeline.Fit(data);
        string zip = Path.Combine(_dir, "model.zip"), onnx = Path.Combine(_dir, "exported.onnx");
        ctx.Model.Save(model, data.Schema, zip);
        var (code, output, error) = Cli("export-onnx", zip, "--output", onnx);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(output, Does.Contain("exported"));
        var (missing, _, missingError) = Cli("export-onnx", Path.Combine(_dir, "nope.zip"), "--output", onnx);
        Assert.That(missing, Is.EqualTo(1));
        Assert.That(missingError, Does.Contain("nope.zip"));
        var session = new OnnxSession(onnx);
        Assert.That(session.Model.Inputs.Select(i => i.Name), Is.EqualTo(new[] { "Tokens" }));
        var result = session.Run(new Dictionary<string, Tensor> { ["Tokens"] = Tensor.FromArray(new long[] { 1, 2, 0, 3, 0, 0 }, 2, 3) });
        var classifier = model.Transformers.OfType<TextClassificationTransformer>().Single();
        var expected = classifier.Score([[1u, 2u], [3u]]);
        Assert.That(result["Score"].ToArray<float>(), Is.EqualTo(expected.SelectMany(r => r).ToArray()).Within(1e-5f));
    }

    [Test]
    public void Npy_RejectsBadFiles_NamingTheFile()
    {
        string Bad(string name, byte[] bytes)
        {
            string p = Path.Combine(_dir, name);
            File.WriteAllBytes(p, bytes);
            return p;
        }
        byte[] Header(string dict)
        {
            var h = System.Text.Encoding.ASCII.GetBytes(dict.PadRight(54) + "\n");
            return [0x93, .. "NUMPY"u8, 1, 0, (byte)h.Length, 0, .. h];
        }
        var cases = new[]
        {
            (Bad("magic.npy", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), "magic"),
            (Bad("fortran.npy", Header("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }")), "Fortran"),
            (Bad("dtype.npy", Header("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }")), "'>f4'"),
            (Bad("short.npy", Header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }")), "shorter"),
            (Bad("noshape.npy", Header("{'descr': '<f4', 'fortran_order': False, }")), "'shape'"),
        };
        foreach (var (path, what) in cases)
        {
            var ex = Assert.Throws<NpyFormatException>(() => NpyFile.Read(path), path)!;
            Assert.That(ex.FilePath, Is.EqualTo(path));
            Assert.That(ex.Message, Does.Contain(Path.GetFileName(path)).And.Contain(what));
        }
    }

    [Test]
    public void Npy_RoundTripsWithNumpy()
    {
        string py = "/usr/bin/python3";
        if (!File.Exists(py))
        {
            if (System.Environment.GetEnvironmentVariable("MLNETDEEP_REQUIRE_ORACLES") == "1") Assert.Fail("python3 with numpy is required");
            Assert.Ignore("python3 not found");
        }
        var f = Tensor.FromArray(new float[] { 1.5f, -2.25f, 3e-8f, float.MaxValue, 0, 7 }, 2, 3);
        var l = Tensor.FromArray(new long[] { long.MinValue, -1, 0, 1, long.MaxValue, 42, 5, 6 }, 2, 2, 2);
        string fp = Path.Combine(_dir, "f.npy"), lp = Path.Combine(_dir, "l.npy");
        NpyFile.Write(fp, f);
        NpyFile.Write(lp, l);
        string script = $$"""
import numpy as np
f = np.load(r'{{fp}}'); l = np.load(r'{{lp}}')
assert f.dtype == np.float32 and f.shape == (2, 3), (f.dtype, f.shape)
assert l.dtype == np.int64 and l.shape == (2, 2, 2), (l.dtype, l.shape)
assert f[0, 1] == -2.25 and l[0, 0, 0] == np.iinfo(np.int64).min and l[1, 0, 1] == 42
np.save(r'{{fp}}.back.npy', f * 2)
np.save(r'{{lp}}.back.npy', l[1:])
with open(r'{{fp}}.v2.npy', 'wb') as o: np.lib.format.write_array(o, np.arange(5, dtype=np.float32), version=(2, 0))
np.save(r'{{fp}}.i4.npy', np.array([[1, -2]], dtype=np.int32))
print('ok')
""";
        var psi = new ProcessStartInfo(py) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-");
        using var proc = Process.Start(psi)!;
        proc.StandardInput.Write(script);
        proc.StandardInput.Close();
        string stdout = proc.StandardOutput.ReadToEnd(), stderr = proc.StandardError.ReadToEnd();
        proc.WaitForExit();
        if (stderr.Contains("No module named 'numpy'", StringComparison.Ordinal)) Assert.Ignore("numpy not installed");
        Assert.That(stdout.Trim(), Is.EqualTo("ok"), stderr);
        Assert.That(NpyFile.Read(fp + ".back.npy").ToArray<float>(), Is.EqualTo(f.ToArray<float>().Select(v => v * 2).ToArray()));
        var back = NpyFile.Read(lp + ".back.npy");
        Assert.That(back.Shape.ToArray(), Is.EqualTo(new[] { 1, 2, 2 }));
        Assert.That(back.ToArray<long>(), Is.EqualTo(l.ToArray<long>().Skip(4).ToArray()));
        Assert.That(NpyFile.Read(fp + ".v2.npy").ToArray<float>(), Is.EqualTo(new float[] { 0, 1, 2, 3, 4 }));
        var i4 = NpyFile.Read(fp + ".i4.npy");
        Assert.That(i4.DType, Is.EqualTo(DType.Int64));
        Assert.That(i4.ToArray<long>(), Is.EqualTo(new long[] { 1, -2 }));
    }
}
