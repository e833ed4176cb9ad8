using System.Diagnostics;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace MLNetDeep.Tests.Oracles;

/// <summary>
/// Client of the PyTorch oracle (<c>tools/oracles/torch_oracle.py</c>), a long-lived Python process
/// speaking one JSON object per line. Thread-safe; one request at a time.
/// Typical use: <c>oracle = TorchOracle.Start()</c> in [OneTimeSetUp], <c>oracle.Dispose()</c> in [OneTimeTearDown].
/// If the process crashes or times out it is killed, and the next request starts a fresh one.
/// </summary>
public sealed class TorchOracle : IDisposable
{
    /// <summary>When "1", an unavailable oracle fails tests instead of ignoring them.</summary>
    public const string RequireEnvVar = "MLNETDEEP_REQUIRE_ORACLES";

    /// <summary>Optional override of the interpreter path (default /usr/bin/python3).</summary>
    public const string PythonEnvVar = "MLNETDEEP_PYTHON";

    public const string DefaultPython = "/usr/bin/python3";
    public const string ScriptRelativePath = "tools/oracles/torch_oracle.py";

    private const int StderrCap = 64 * 1024;
    private static readonly KeyValuePair<string, string>[] s_environment =
    [
        new("PYTHONUNBUFFERED", "1"),
        new("PYTHONDONTWRITEBYTECODE", "1"),
        new("OMP_NUM_THREADS", "1"),
    ];
    private static readonly object s_probeLock = new();
    private static string? s_unavailableReason;
    private static bool s_probed;

    private readonly object _gate = new();
    private readonly OracleStderr _stderr = new(StderrCap);
    private readonly string _python;
    private readonly string _script;
    private readonly string _repoRoot;
    private Process? _process;
    private long _nextId;
    private bool _disposed;

    /// <summary>Starts the process and pings it; throws <see cref="OracleUnavailableException"/> when it cannot.</summary>
    public TorchOracle()
    {
        _python = Environment.GetEnvironmentVariable(PythonEnvVar) is { Length: > 0 } p ? p : DefaultPython;
        if (!File.Exists(_python))
            throw new OracleUnavailableException($"{_python} not found");
        _repoRoot = FindRepoRoot() ?? throw new OracleUnavailableException("repository root (directory with MLNetDeep.sln) not found");
        _script = Path.Combine(_repoRoot, ScriptRelativePath);
        if (!File.Exists(_script))
            throw new OracleUnavailableException($"{_script} not found");
        lock (_gate) StartProcess();
    }

    /// <summary>Per-request time limit; on expiry the process is killed and <see cref="OracleException"/> thrown.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>torch.__version__ reported by the running process.</summary>
    public string TorchVersion { get; private set; } = "";

    /// <summary>Directory containing MLNetDeep.sln.</summary>
    public string RepoRoot => _repoRoot;

    // ------------------------------------------------------------------ availability policy

    /// <summary>
    /// Starts an oracle, or ends the calling test/fixture: Assert.Ignore("PyTorch oracle unavailable: ...")
    /// or, with MLNETDEEP_REQUIRE_ORACLES=1, Assert.Fail. Unavailability is remembered for the test run.
    /// </summary>
    public static TorchOracle Start()
    {
        string? reason;
        lock (s_probeLock) reason = s_probed ? s_unavailableReason : null;
        if (reason is null)
        {
            try
            {
                var oracle = new TorchOracle();
                lock (s_probeLock) { s_probed = true; s_unavailableReason = null; }
                return oracle;
            }
            catch (OracleUnavailableException e)
            {
                reason = e.Message;
                lock (s_probeLock) { s_probed = true; s_unavailableReason = reason; }
            }
        }
        FailOrIgnore(reason);
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>Ends the calling test/fixture (ignored, or failed with MLNETDEEP_REQUIRE_ORACLES=1) when the oracle cannot run.</summary>
    public static void RequireOrIgnore()
    {
        var reason = UnavailableReason();
        if (reason is not null) FailOrIgnore(reason);
    }

    /// <summary>Null when the oracle can start (probed once per test run), else why not.</summary>
    public static string? UnavailableReason()
    {
        lock (s_probeLock)
        {
            if (s_probed) return s_unavailableReason;
        }
        string? reason = null;
        try
        {
            using var probe = new TorchOracle();
        }
        catch (OracleUnavailableException e)
        {
            reason = e.Message;
        }
        lock (s_probeLock) { s_probed = true; s_unavailableReason = reason; }
        return reason;
    }

    private static void FailOrIgnore(string reason) => OracleProcess.FailOrIgnore("PyTorch oracle", reason, "install python3-torch");

    // ------------------------------------------------------------------ typed requests

    /// <summary>Round trip; returns torch.__version__.</summary>
    public string Ping() => Request(new JsonObject { ["kind"] = "ping" })["torch"]!.GetValue<string>();

    /// <summary>
    /// fn(*inputs, *args, **kwargs) where fn is a dotted name under "torch." (e.g. "torch.nn.functional.gelu",
    /// "torch.Tensor.permute"). Inputs are tensors, lists of tensors (passed as one list argument) or other values;
    /// args/kwargs may contain tensors anywhere (see <see cref="OracleJson.ToNode"/>). With <paramref name="gradOutputs"/>
    /// (one per output, null to skip) the grads of every request tensor are returned, in order of appearance.
    /// </summary>
    public OracleCallResult Call(
        string fn,
        IReadOnlyList<object?> inputs,
        object?[]? args = null,
        IDictionary<string, object?>? kwargs = null,
        IReadOnlyList<OracleTensor?>? gradOutputs = null)
    {
        var req = new JsonObject
        {
            ["kind"] = "call",
            ["fn"] = fn,
            ["inputs"] = OracleJson.Array(inputs),
            ["args"] = OracleJson.Array(args),
            ["kwargs"] = OracleJson.Object(kwargs),
            ["grad_outputs"] = gradOutputs is null ? null : OracleJson.Array(gradOutputs),
        };
        return new OracleCallResult(Request(req));
    }

    /// <summary>
    /// Builds module(*args, **kwargs) (a "torch.nn." class), casts it to <paramref name="dtype"/>, loads
    /// <paramref name="state"/> (strict=False), sets train/eval and runs forward on the inputs.
    /// <paramref name="tupleInputs"/> turns nested input lists into tuples (LSTM's (h0, c0)); with
    /// <paramref name="packedLengths"/>, inputs[0] goes through pack_padded_sequence(enforce_sorted=False)
    /// and the first output through pad_packed_sequence.
    /// </summary>
    public OracleModuleResult Module(
        string module,
        IReadOnlyList<object?> inputs,
        object?[]? args = null,
        IDictionary<string, object?>? kwargs = null,
        IDictionary<string, OracleTensor>? state = null,
        bool train = false,
        IReadOnlyList<OracleTensor?>? gradOutputs = null,
        string dtype = OracleTensor.Float32,
        IDictionary<string, object?>? forwardKwargs = null,
        bool tupleInputs = false,
        IReadOnlyList<int>? packedLengths = null,
        bool packedBatchFirst = false)
    {
        var stateNode = new JsonObject();
        if (state is not null)
            foreach (var kv in state) stateNode[kv.Key] = kv.Value.ToJson();
        var req = new JsonObject
        {
            ["kind"] = "module",
            ["module"] = module,
            ["args"] = OracleJson.Array(args),
            ["kwargs"] = OracleJson.Object(kwargs),
            ["state"] = stateNode,
            ["train"] = train,
            ["inputs"] = OracleJson.Array(inputs),
            ["forward_kwargs"] = OracleJson.Object(forwardKwargs),
            ["grad_outputs"] = gradOutputs is null ? null : OracleJson.Array(gradOutputs),
            ["dtype"] = dtype,
        };
        if (tupleInputs) req["tuple_inputs"] = true;
        if (packedLengths is not null)
        {
            var lens = new JsonArray();
            foreach (var v in packedLengths) lens.Add(v);
            req["packed"] = new JsonObject { ["lengths"] = lens, ["batch_first"] = packedBatchFirst };
        }
        return new OracleModuleResult(Request(req));
    }

    /// <summary>
    /// Runs optimizer <paramref name="optim"/> (a "torch.optim." class) over leaf copies of <paramref name="parameters"/>:
    /// per step, sets the grads (null: no grad), clips, steps, then steps the scheduler.
    /// </summary>
    public OracleOptimResult Optim(
        string optim,
        IDictionary<string, object?>? kwargs,
        IReadOnlyList<OracleTensor> parameters,
        IReadOnlyList<IReadOnlyList<OracleTensor?>> gradsPerStep,
        OracleScheduler? scheduler = null,
        OracleClip? clip = null)
    {
        var grads = new JsonArray();
        foreach (var step in gradsPerStep) grads.Add(OracleJson.Array(step));
        JsonObject? sched = null;
        if (scheduler is not null)
        {
            sched = new JsonObject { ["name"] = scheduler.Name, ["kwargs"] = OracleJson.Object(scheduler.Kwargs) };
            if (scheduler.Metrics is not null) sched["metrics"] = OracleJson.Array(scheduler.Metrics.Cast<object?>());
        }
        JsonObject? clipNode = null;
        if (clip is not null)
        {
            clipNode = clip.MaxNorm is double m
                ? new JsonObject { ["max_norm"] = m, ["norm_type"] = OracleTensor.EncodeDouble(clip.NormType) }
                : new JsonObject { ["clip_value"] = clip.ClipValue!.Value };
        }
        var req = new JsonObject
        {
            ["kind"] = "optim",
            ["optim"] = optim,
            ["kwargs"] = OracleJson.Object(kwargs),
            ["params"] = OracleJson.Array(parameters),
            ["grads"] = grads,
            ["scheduler"] = sched,
            ["clip"] = clipNode,
        };
        return new OracleOptimResult(Request(req));
    }

    /// <summary>
    /// Trains Linear layers with <paramref name="activation"/> ("relu", "tanh", "sigmoid", "gelu") between them for
    /// <paramref name="steps"/> steps; step i uses rows [(i*B) mod N, +B) with wrap-around, no shuffle.
    /// <paramref name="loss"/>: "cross_entropy" (int64 labels) or "mse".
    /// </summary>
    public OracleTrainMlpResult TrainMlp(
        IReadOnlyList<OracleLinearLayer> layers,
        string activation,
        OracleTensor x,
        OracleTensor y,
        int batchSize,
        int steps,
        string optim = "torch.optim.SGD",
        IDictionary<string, object?>? optimKwargs = null,
        string loss = "cross_entropy")
    {
        var layerNodes = new JsonArray();
        foreach (var l in layers)
            layerNodes.Add(new JsonObject { ["weight"] = l.Weight.ToJson(), ["bias"] = l.Bias?.ToJson() });
        var req = new JsonObject
        {
            ["kind"] = "train_mlp",
            ["layers"] = layerNodes,
            ["activation"] = activation,
            ["x"] = x.ToJson(),
            ["y"] = y.ToJson(),
            ["batch_size"] = batchSize,
            ["steps"] = steps,
            ["optim"] = optim,
            ["optim_kwargs"] = OracleJson.Object(optimKwargs),
            ["loss"] = loss,
        };
        return new OracleTrainMlpResult(Request(req));
    }

    // ------------------------------------------------------------------ raw protocol

    /// <summary>
    /// Sends one request (not modified) and returns the response object.
    /// Throws <see cref="OracleException"/> when ok=false (with the Python traceback), on crash, timeout or garbage.
    /// </summary>
    public JsonObject Request(JsonObject request)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_process is null || _process.HasExited)
            {
                StopProcess();
                StartProcess();
            }
            return Exchange(request);
        }
    }

    private JsonObject Exchange(JsonObject request)
    {
        var process = _process!;
        string json = request.ToJsonString();
        long? id = null;
        if (!request.ContainsKey("id"))
        {
            id = ++_nextId;
            json = json == "{}" ? $"{{\"id\":{id}}}" : $"{{\"id\":{id},{json[1..]}";
        }
        long mark = StderrMark();
        string kind = request["kind"] is JsonValue k && k.TryGetValue<string>(out var ks) ? ks : "?";

        string? line;
        try
        {
            if (!OracleProcess.TryExchangeLine(process, json, Timeout, out line))
            {
                Kill();
                throw new OracleException(
                    $"Torch oracle request '{kind}' timed out after {Timeout.TotalSeconds:0.###} s; the process was killed (a new one starts on the next request).",
                    stderr: StderrSince(mark));
            }
        }
        catch (Exception e) when (e is IOException or AggregateException or ObjectDisposedException or InvalidOperationException)
        {
            throw Crashed(kind, mark, e);
        }
        if (line is null) throw Crashed(kind, mark, null);

        JsonObject response;
        try
        {
            response = JsonNode.Parse(line) as JsonObject ?? throw new FormatException("response is not a JSON object");
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
        {
            Kill();
            throw new OracleException($"Torch oracle sent an unreadable response to '{kind}': {Truncate(line)}",
                stderr: StderrSince(mark), inner: e);
        }
        if (id is not null && (response["id"] is not JsonValue rid || rid.GetValue<long>() != id))
        {
            Kill();
            throw new OracleException($"Torch oracle protocol out of sync: expected id {id}, got {Truncate(line)}",
                stderr: StderrSince(mark));
        }
        if (response["ok"] is not JsonValue ok || !ok.GetValue<bool>())
        {
            string error = response["error"]?.ToString() ?? "(no error text)";
            throw new OracleException($"Torch oracle request '{kind}' failed: {error}", error, StderrSince(mark));
        }
        return response;
    }

    private OracleException Crashed(string kind, long mark, Exception? inner)
    {
        int? code = null;
        try
        {
            if (_process is not null && _process.WaitForExit(2000)) code = _process.ExitCode;
        }
        catch (InvalidOperationException)
        {
        }
        Kill();
        return new OracleException(
            $"Torch oracle process died while handling '{kind}'" + (code is null ? "." : $" (exit code {code})."),
            stderr: StderrSince(mark), inner: inner);
    }

    private void StartProcess()
    {
        long mark = StderrMark();
        var process = OracleProcess.Start(_python, ["-u", _script], _repoRoot, s_environment, _stderr);
        _process = process;

        var saved = Timeout;
        try
        {
            if (Timeout < TimeSpan.FromSeconds(60)) Timeout = TimeSpan.FromSeconds(60);
            var pong = Exchange(new JsonObject { ["kind"] = "ping" });
            TorchVersion = pong["torch"]?.GetValue<string>() ?? "";
        }
        catch (OracleException e) when (e is not OracleUnavailableException)
        {
            Kill();
            string err = StderrSince(mark).Trim();
            // The script's own diagnosis is one "torch_oracle: ..." line; prefer it to the whole traceback.
            var own = err.Split('\n').LastOrDefault(l => l.StartsWith("torch_oracle:", StringComparison.Ordinal));
            if (own is not null) err = own["torch_oracle:".Length..].Trim();
            else if (err.Length > 2000) err = "..." + err[^2000..];
            throw new OracleUnavailableException(
                "torch oracle did not start (is torch installed for " + _python + "?): " +
                (err.Length > 0 ? err : e.Message), e);
        }
        finally
        {
            Timeout = saved;
        }
    }

    private void Kill()
    {
        var p = _process;
        _process = null;
        OracleProcess.Kill(p);
    }

    private void StopProcess()
    {
        var p = _process;
        _process = null;
        OracleProcess.Stop(p);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            StopProcess();
        }
    }

    // ------------------------------------------------------------------ stderr

    private long StderrMark() => _stderr.Mark();

    /// <summary>Stderr written since <paramref name="mark"/> (what is still buffered), after a short grace period.</summary>
    private string StderrSince(long mark) => _stderr.Since(mark);

    // ------------------------------------------------------------------ helpers

    /// <summary>Walks up from the test directory (then the app base, then the working directory) to the directory containing MLNetDeep.sln.</summary>
    public static string? FindRepoRoot()
    {
        var starts = new List<string>();
        try
        {
            starts.Add(TestContext.CurrentContext.TestDirectory);
        }
        catch (Exception e) when (e is InvalidOperationException or NullReferenceException)
        {
        }
        starts.Add(AppContext.BaseDirectory);
        starts.Add(Environment.CurrentDirectory);
        foreach (var s in starts)
        {
            for (var dir = new DirectoryInfo(s); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "MLNetDeep.sln"))) return dir.FullName;
        }
        return null;
    }

    private static string Truncate(string s) => s.Length <= 500 ? s : s[..500] + "...";
}
