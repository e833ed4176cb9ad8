using System.Text.Json.Nodes;

namespace MLNetDeep.Tests.Oracles;

/// <summary>
/// Client of <c>tools/oracles/onnx_checker.py</c>: runs <c>onnx.checker.check_model(model, full_check=True)</c>
/// (onnx 1.12 for /usr/bin/python3) on a file. Start once per fixture with <see cref="Start"/>.
/// </summary>
public sealed class OnnxCheckerOracle : JsonLineOracle
{
    public const string ScriptRelativePath = "tools/oracles/onnx_checker.py";
    private static string? s_unavailable;

    private OnnxCheckerOracle(string python, string script, string root) : base("ONNX checker oracle", python, ["-u", script], root)
    {
        OnnxVersion = Pong?["onnx"]?.ToString() ?? "";
    }

    /// <summary>onnx.__version__ of the running process.</summary>
    public string OnnxVersion { get; }

    protected override IEnumerable<KeyValuePair<string, string>> Environment =>
        [new("PYTHONUNBUFFERED", "1"), new("PYTHONDONTWRITEBYTECODE", "1"), new("OMP_NUM_THREADS", "1")];

    /// <summary>Starts the checker, or ignores (fails with MLNETDEEP_REQUIRE_ORACLES=1) the calling fixture when it cannot run.</summary>
    public static OnnxCheckerOracle Start() => StartCached(ref s_unavailable, Create, "ONNX checker oracle", "install python3-onnx");

    private static OnnxCheckerOracle Create()
    {
        var (python, script, root) = LocatePythonScript(ScriptRelativePath);
        return new OnnxCheckerOracle(python, script, root);
    }

    /// <summary>Null when the model passes the full check, else the checker's message.</summary>
    /// <param name="modelPath">An ONNX file.</param>
    public string? Check(string modelPath)
    {
        var r = Request(new JsonObject { ["kind"] = "check", ["model"] = Path.GetFullPath(modelPath) });
        return r["valid"]!.GetValue<bool>() ? null : r["error"]?.ToString() ?? "invalid (no message)";
    }
}
