using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using MLNetDeep.Tensors;

namespace MLNetDeep.Tests.Oracles;

/// <summary>
/// Client of <c>tools/oracles/ort_oracle.js</c>: runs an ONNX file in ONNX Runtime (onnxruntime-node,
/// CPU, 2 intra-op threads) and returns the outputs as engine tensors. Tensors travel as base64
/// little-endian bytes, so values round-trip exactly. Start once per fixture with <see cref="Start"/>.
/// </summary>
public sealed class OnnxRuntimeOracle : JsonLineOracle
{
    public const string ScriptRelativePath = "tools/oracles/ort_oracle.js";
    public const string NodeEnvVar = "MLNETDEEP_NODE";
    private static string? s_unavailable;

    private OnnxRuntimeOracle(string node, string script, string root) : base("ONNX Runtime oracle", node, [script], root)
    {
        Version = Pong?["onnxruntime"]?.ToString() ?? "";
    }

    /// <summary>The onnxruntime-node version.</summary>
    public string Version { get; }

    /// <summary>Starts the oracle, or ignores (fails with MLNETDEEP_REQUIRE_ORACLES=1) the calling fixture when it cannot run.</summary>
    public static OnnxRuntimeOracle Start() =>
        StartCached(ref s_unavailable, Create, "ONNX Runtime oracle", "install node and run `npm install --ignore-scripts` in tools/oracles");

    private static OnnxRuntimeOracle Create()
    {
        string root = TorchOracle.FindRepoRoot() ?? throw new OracleUnavailableException("repository root (directory with MLNetDeep.sln) not found");
        string script = Path.Combine(root, ScriptRelativePath);
        if (!File.Exists(script)) throw new OracleUnavailableException($"{script} not found");
        if (!File.Exists(Path.Combine(root, "tools/oracles/node_modules/onnxruntime-node/package.json")))
            throw new OracleUnavailableException("onnxruntime-node is not installed in tools/oracles/node_modules");
        string node = System.Environment.GetEnvironmentVariable(NodeEnvVar) is { Length: > 0 } n ? n : FindOnPath("node")
            ?? throw new OracleUnavailableException("node (Node.js) not found on PATH");
        return new OnnxRuntimeOracle(node, script, root);
    }

    private static string? FindOnPath(string exe)
    {
        foreach (var dir in (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            if (dir.Length == 0) continue;
            var candidate = Path.Combine(dir, exe);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>Runs <paramref name="modelPath"/> on named inputs; returns every graph output (or those named).</summary>
    /// <param name="modelPath">An ONNX file.</param>
    /// <param name="inputs">Input name → tensor (float32, float64 or int64).</param>
    /// <param name="outputs">Output names to fetch; null for all.</param>
    public Dictionary<string, Tensor> Run(string modelPath, IReadOnlyDictionary<string, Tensor> inputs, IEnumerable<string>? outputs = null)
    {
        var feeds = new JsonObject();
        foreach (var (name, t) in inputs) feeds[name] = Encode(t);
        var req = new JsonObject { ["kind"] = "run", ["model"] = Path.GetFullPath(modelPath), ["inputs"] = feeds };
        if (outputs is not null) req["outputs"] = new JsonArray(outputs.Select(o => (JsonNode)JsonValue.Create(o)!).ToArray());
        var r = Request(req);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, node) in r["outputs"]!.AsObject()) result[name] = Decode(name, node!.AsObject());
        return result;
    }

    /// <summary>Runs a one-input model and returns its first output.</summary>
    /// <param name="modelPath">An ONNX file.</param>
    /// <param name="inputName">The graph input name.</param>
    /// <param name="input">Its value.</param>
    public Tensor RunSingle(string modelPath, string inputName, Tensor input) =>
        Run(modelPath, new Dictionary<string, Tensor> { [inputName] = input }).Values.First();

    private static JsonObject Encode(Tensor t)
    {
        string dtype = t.DType switch { DType.Float32 => "float32", DType.Float64 => "float64", _ => "int64" };
        var shape = new JsonArray(t.Shape.ToArray().Select(d => (JsonNode)JsonValue.Create(d)).ToArray());
        return new JsonObject { ["dtype"] = dtype, ["shape"] = shape, ["data"] = Convert.ToBase64String(t.ToBytes()) };
    }

    private static Tensor Decode(string name, JsonObject o)
    {
        string dtype = o["dtype"]!.ToString();
        int[] shape = o["shape"]!.AsArray().Select(d => d!.GetValue<int>()).ToArray();
        byte[] bytes = Convert.FromBase64String(o["data"]!.ToString());
        return dtype switch
        {
            "float32" => Tensor.FromArray(MemoryMarshal.Cast<byte, float>(bytes).ToArray(), shape),
            "float64" => Tensor.FromArray(MemoryMarshal.Cast<byte, double>(bytes).ToArray(), shape),
            "int64" => Tensor.FromArray(MemoryMarshal.Cast<byte, long>(bytes).ToArray(), shape),
            "int32" => Tensor.FromArray(MemoryMarshal.Cast<byte, int>(bytes).ToArray().Select(v => (long)v).ToArray(), shape),
            "bool" or "uint8" => Tensor.FromArray(bytes.Select(v => (long)v).ToArray(), shape),
            _ => throw new OracleException($"ONNX Runtime output '{name}' has unsupported dtype '{dtype}'."),
        };
    }
}
