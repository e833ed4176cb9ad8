using System.Diagnostics;
using System.Text.Json.Nodes;

namespace MLNetDeep.Tests.Oracles;

/// <summary>
/// A long-lived reference process speaking one JSON object per line (request with an "id", response
/// echoing it with "ok"), as the ONNX oracles do. One request at a time; a request that times out or
/// crashes kills the process and the next request starts a fresh one. Subclasses name the program.
/// </summary>
public abstract class JsonLineOracle : IDisposable
{
    private readonly object _gate = new();
    private readonly OracleStderr _stderr = new(32 * 1024);
    private readonly string _program;
    private readonly string[] _arguments;
    private readonly string _label;
    private Process? _process;
    private long _nextId;
    private bool _disposed;

    protected JsonLineOracle(string label, string program, IEnumerable<string> arguments, string workingDirectory)
    {
        _label = label;
        _program = program;
        _arguments = arguments.ToArray();
        WorkingDirectory = workingDirectory;
        lock (_gate) StartProcess();
    }

    /// <summary>Per-request time limit.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>The folder the process runs in (the repository root).</summary>
    public string WorkingDirectory { get; }

    /// <summary>The first response (to "ping").</summary>
    protected JsonObject? Pong { get; private set; }

    /// <summary>Extra environment variables for the process.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string>> Environment => [];

    /// <summary>Sends one request and returns the response; throws <see cref="OracleException"/> on ok=false, crash or timeout.</summary>
    public JsonObject Request(JsonObject request)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_process is null || _process.HasExited)
            {
                Kill();
                StartProcess();
            }
            return Exchange(request, Timeout);
        }
    }

    private JsonObject Exchange(JsonObject request, TimeSpan timeout)
    {
        var process = _process!;
        long id = ++_nextId;
        var copy = (JsonObject)request.DeepClone();
        copy["id"] = id;
        string kind = copy["kind"]?.ToString() ?? "?";
        string? line;
        try
        {
            if (!OracleProcess.TryExchangeLine(process, copy.ToJsonString(), timeout, out line))
            {
                Kill();
                throw new OracleException($"{_label} request '{kind}' timed out after {timeout.TotalSeconds:0} s; the process was killed.", stderr: Stderr());
            }
        }
        catch (Exception e) when (e is IOException or AggregateException or ObjectDisposedException or InvalidOperationException)
        {
            Kill();
            throw new OracleException($"{_label} process died while handling '{kind}'.", stderr: Stderr(), inner: e);
        }
        if (line is null)
        {
            Kill();
            throw new OracleException($"{_label} process exited while handling '{kind}'.", stderr: Stderr());
        }
        JsonObject response;
        try
        {
            response = JsonNode.Parse(line) as JsonObject ?? throw new FormatException("not a JSON object");
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
        {
            Kill();
            throw new OracleException($"{_label} sent an unreadable response: {Truncate(line)}", stderr: Stderr(), inner: e);
        }
        if (response["id"] is not JsonValue rid || rid.GetValue<long>() != id)
        {
            Kill();
            throw new OracleException($"{_label} protocol out of sync: expected id {id}, got {Truncate(line)}", stderr: Stderr());
        }
        if (response["ok"] is not JsonValue ok || !ok.GetValue<bool>())
        {
            string error = response["error"]?.ToString() ?? "(no error text)";
            throw new OracleException($"{_label} request '{kind}' failed: {error}", error, Stderr());
        }
        return response;
    }

    private void StartProcess()
    {
        var process = OracleProcess.Start(_program, _arguments, WorkingDirectory, Environment, _stderr);
        _process = process;
        try
        {
            Pong = Exchange(new JsonObject { ["kind"] = "ping" }, TimeSpan.FromSeconds(60));
        }
        catch (OracleException e)
        {
            Kill();
            string err = Stderr().Trim();
            var own = err.Split('\n').LastOrDefault(l => l.Contains("_oracle:", StringComparison.Ordinal) || l.Contains("_checker:", StringComparison.Ordinal));
            throw new OracleUnavailableException($"{_label} did not start: " + (own ?? (err.Length > 0 ? err : e.Message)), e);
        }
    }

    private string Stderr() => _stderr.Since(0);

    private void Kill()
    {
        var p = _process;
        _process = null;
        OracleProcess.Kill(p);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            var p = _process;
            _process = null;
            OracleProcess.Stop(p);
        }
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// The Python interpreter (<see cref="TorchOracle.PythonEnvVar"/> or <see cref="TorchOracle.DefaultPython"/>),
    /// the script at <paramref name="scriptRelativePath"/> under the repository root, and that root;
    /// throws <see cref="OracleUnavailableException"/> naming whichever is missing.
    /// </summary>
    protected static (string Python, string Script, string Root) LocatePythonScript(string scriptRelativePath)
    {
        string python = System.Environment.GetEnvironmentVariable(TorchOracle.PythonEnvVar) is { Length: > 0 } p ? p : TorchOracle.DefaultPython;
        if (!File.Exists(python)) throw new OracleUnavailableException($"{python} not found");
        string root = TorchOracle.FindRepoRoot() ?? throw new OracleUnavailableException("repository root (directory with MLNetDeep.sln) not found");
        string script = Path.Combine(root, scriptRelativePath);
        if (!File.Exists(script)) throw new OracleUnavailableException($"{script} not found");
        return (python, script, root);
    }

    /// <summary>Ends the calling test/fixture: ignored, or failed with MLNETDEEP_REQUIRE_ORACLES=1.</summary>
    protected static void FailOrIgnore(string oracle, string reason, string installHint) =>
        OracleProcess.FailOrIgnore(oracle, reason, installHint);

    /// <summary>Starts an oracle through <paramref name="create"/>, remembering unavailability in <paramref name="cache"/>.</summary>
    protected static T StartCached<T>(ref string? cache, Func<T> create, string oracle, string installHint) where T : JsonLineOracle
    {
        if (cache is not null) FailOrIgnore(oracle, cache, installHint);
        try
        {
            return create();
        }
        catch (OracleUnavailableException e)
        {
            cache = e.Reason;
        }
        FailOrIgnore(oracle, cache, installHint);
        throw new InvalidOperationException("unreachable");
    }

    private static string Truncate(string s) => s.Length <= 500 ? s : s[..500] + "...";
}
