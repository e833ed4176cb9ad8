using MLNetDeep.OnnxExport;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;
using MLNetDeep.Tests.Oracles;
using NUnit.Framework;

namespace MLNetDeep.Tests.Onnx.Export;

/// <summary>
/// Shared set-up of the export tests: both oracles (ONNX checker, ONNX Runtime) started once per
/// fixture, a temporary folder, and <see cref="AssertExportMatches"/>, which exports a model, runs the
/// full checker on the file and compares ONNX Runtime's outputs with the engine's for several input sizes.
/// </summary>
public abstract class OnnxExportTestBase
{
    public const double Rtol = 1e-4;
    public const double Atol = 1e-5;

    protected OnnxCheckerOracle Checker { get; private set; } = null!;
    protected OnnxRuntimeOracle Runtime { get; private set; } = null!;
    protected string TempDir { get; private set; } = null!;

    [OneTimeSetUp]
    public void StartOracles()
    {
        TempDir = Path.Combine(Path.GetTempPath(), "mlnetdeep-onnx-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(TempDir);
        Checker = OnnxCheckerOracle.Start();
        Runtime = OnnxRuntimeOracle.Start();
    }

    [OneTimeTearDown]
    public void StopOracles()
    {
        Checker?.Dispose();
        Runtime?.Dispose();
        try { if (TempDir is not null) Directory.Delete(TempDir, recursive: true); } catch (IOException) { }
    }

    /// <summary>A fresh file path in the fixture's temporary folder.</summary>
    protected string NewPath(string stem) => Path.Combine(TempDir, stem + "-" + Guid.NewGuid().ToString("N")[..8] + ".onnx");

    /// <summary>Exports to a file and asserts that the full ONNX checker accepts it; returns the path.</summary>
    protected string ExportChecked(Module model, IReadOnlyList<OnnxTensorSpec> inputs, OnnxExportOptions? options = null, string stem = "model")
    {
        string path = NewPath(stem);
        OnnxExporter.Export(model, path, inputs, options);
        Assert.That(Checker.Check(path), Is.Null, $"onnx.checker (full_check) rejected {path}");
        return path;
    }

    /// <summary>
    /// Exports a one-input model, checks the file, then for every input in <paramref name="testInputs"/>
    /// (sizes may differ from the export's example sizes on dynamic axes) compares ONNX Runtime with the engine.
    /// </summary>
    protected string AssertExportMatches(Module<Tensor, Tensor> model, OnnxTensorSpec input, IEnumerable<Tensor> testInputs,
        OnnxExportOptions? options = null, double rtol = Rtol, double atol = Atol)
    {
        string path = ExportChecked(model, [input], options, model.GetType().Name);
        model.Eval();
        foreach (var x in testInputs)
        {
            Tensor expected;
            using (Tensor.NoGrad()) expected = model.Forward(x);
            var actual = Runtime.RunSingle(path, input.Name, x);
            AssertClose($"{model.GetType().Name} input [{string.Join(",", x.Shape.ToArray())}]", expected, actual, rtol, atol);
        }
        return path;
    }

    /// <summary>
    /// Runs a key-id classifier graph (input "Tokens", outputs "Score" and "PredictedLabel") in ONNX Runtime
    /// over <paramref name="rows"/> in batches of <paramref name="batch"/>, right-padded with key 0, and asserts
    /// each row's Score equals <paramref name="expected"/> within <paramref name="tolerance"/> and its
    /// PredictedLabel is the 1-based arg-max key.
    /// </summary>
    protected void AssertKeyIdClassifierInRuntime(string path, IReadOnlyList<uint[]> rows, float[][] expected, int batch, float tolerance)
    {
        for (int start = 0; start < rows.Count; start += batch)
        {
            var part = rows.Skip(start).Take(batch).ToList();
            int width = Math.Max(1, part.Max(r => r.Length));
            var ids = new long[part.Count * width];
            for (int r = 0; r < part.Count; r++) for (int j = 0; j < part[r].Length; j++) ids[r * width + j] = part[r][j];
            var outputs = Runtime.Run(path, new Dictionary<string, Tensor> { ["Tokens"] = Tensor.FromArray(ids, part.Count, width) });
            var score = outputs["Score"].ToArray<float>();
            var label = outputs["PredictedLabel"].ToArray<long>();
            int c = expected[0].Length;
            for (int r = 0; r < part.Count; r++)
            {
                Assert.That(score.AsSpan(r * c, c).ToArray(), Is.EqualTo(expected[start + r]).Within(tolerance), $"row {start + r}");
                Assert.That(label[r], Is.EqualTo(Array.IndexOf(expected[start + r], expected[start + r].Max()) + 1), $"row {start + r} label");
            }
        }
    }

    /// <summary>Asserts equal shapes and |a − e| ≤ atol + rtol·|e| element-wise.</summary>
    public static void AssertClose(string what, Tensor expected, Tensor actual, double rtol = Rtol, double atol = Atol)
    {
        Assert.That(actual.Shape.ToArray(), Is.EqualTo(expected.Shape.ToArray()), $"{what}: shape");
        var e = expected.ToDoubleArray();
        var a = actual.ToDoubleArray();
        int bad = -1;
        double worst = 0;
        for (int i = 0; i < e.Length; i++)
        {
            double err = Math.Abs(a[i] - e[i]);
            double tol = atol + rtol * Math.Abs(e[i]);
            if (!(err <= tol) && (bad < 0 || err - tol > worst)) { bad = i; worst = err - tol; }
        }
        if (bad >= 0)
            Assert.Fail($"{what}: element {bad} is {a[bad]:R}, expected {e[bad]:R} (rtol {rtol}, atol {atol}).");
    }

    /// <summary>Seeded uniform float input in [−1, 1).</summary>
    protected static Tensor Input(int seed, params int[] shape) => Tensor.Rand(shape, new Generator((ulong)seed), -1, 1);
}
