using MLNetDeep.Onnx;
using MLNetDeep.OnnxExport.Schema;
using MLNetDeep.Tensors;
using NUnit.Framework;

namespace MLNetDeep.Tests.Onnx.Runtime;

/// <summary>Locates the ONNX backend node tests and compares runtime outputs with their expected tensors.</summary>
internal static class OnnxTestData
{
    public const string NodeDir = "/usr/include/onnx/backend/test/data/node";

    public static bool RequireOracles => Environment.GetEnvironmentVariable("MLNETDEEP_REQUIRE_ORACLES") == "1";

    /// <summary>Ignores the test (or fails it under MLNETDEEP_REQUIRE_ORACLES=1) when the data is absent.</summary>
    public static void RequireNodeData()
    {
        if (Directory.Exists(NodeDir)) return;
        string reason = $"ONNX backend test data not found at {NodeDir}";
        if (RequireOracles) Assert.Fail(reason);
        Assert.Ignore(reason);
    }

    private static Dictionary<string, ModelProto>? s_models;

    /// <summary>Every node test directory with its parsed model (cached).</summary>
    public static Dictionary<string, ModelProto> Models()
    {
        if (s_models is not null) return s_models;
        var d = new Dictionary<string, ModelProto>();
        if (Directory.Exists(NodeDir))
            foreach (var dir in Directory.GetDirectories(NodeDir).OrderBy(x => x, StringComparer.Ordinal))
            {
                var file = Path.Combine(dir, "model.onnx");
                if (File.Exists(file)) d[Path.GetFileName(dir)] = ModelProto.Parser.ParseFrom(File.ReadAllBytes(file));
            }
        return s_models = d;
    }

    /// <summary>The test directories of <paramref name="op"/>: single-node models of it, plus their _expanded variants whose ops are all claimed.</summary>
    public static List<string> TestsOf(string op)
    {
        var models = Models();
        var claimed = OnnxOperators.Supported.ToHashSet();
        var result = new List<string>();
        foreach (var (name, m) in models)
        {
            if (m.Graph.Node.Count == 1 && m.Graph.Node[0].OpType == op && !name.EndsWith("_expanded", StringComparison.Ordinal)) result.Add(name);
        }
        foreach (var name in result.ToArray())
            if (models.TryGetValue(name + "_expanded", out var e) && e.Graph.Node.All(nd => claimed.Contains(nd.OpType)))
                result.Add(name + "_expanded");
        return result;
    }

    /// <summary>Runs every data set of a test directory; returns null on success or a failure description.</summary>
    public static string? RunTest(string name)
    {
        string dir = Path.Combine(NodeDir, name);
        OnnxSession session;
        try
        {
            session = new OnnxSession(Path.Combine(dir, "model.onnx"));
        }
        catch (OnnxException e)
        {
            return $"{name}: load failed: {e.Message}";
        }
        var model = Models()[name];
        var inputNames = session.Model.Inputs.Select(i => i.Name).ToList();
        var outputNames = model.Graph.Output.Select(o => o.Name).ToList();
        foreach (var set in Directory.GetDirectories(dir, "test_data_set_*").OrderBy(x => x, StringComparer.Ordinal))
        {
            var feeds = new Dictionary<string, OnnxValue>();
            var inputFiles = Directory.GetFiles(set, "input_*.pb").OrderBy(f => int.Parse(Path.GetFileNameWithoutExtension(f)[6..])).ToArray();
            // Inputs are positional over graph.input (which may list omitted optional inputs with empty names).
            var allInputs = model.Graph.Input.Select(i => i.Name).ToList();
            for (int i = 0; i < inputFiles.Length; i++)
            {
                var proto = TensorProto.Parser.ParseFrom(File.ReadAllBytes(inputFiles[i]));
                string inName = i < allInputs.Count ? allInputs[i] : proto.Name;
                if (!inputNames.Contains(inName)) continue;
                feeds[inName] = OnnxTensorCodec.Decode(proto, inputFiles[i]);
            }
            Dictionary<string, OnnxValue> outs;
            try
            {
                outs = session.Run(feeds);
            }
            catch (OnnxException e)
            {
                return $"{name}/{Path.GetFileName(set)}: run failed: {e.Message}";
            }
            var outputFiles = Directory.GetFiles(set, "output_*.pb").OrderBy(f => int.Parse(Path.GetFileNameWithoutExtension(f)[7..])).ToArray();
            for (int i = 0; i < outputFiles.Length; i++)
            {
                var expected = OnnxTensorCodec.Decode(TensorProto.Parser.ParseFrom(File.ReadAllBytes(outputFiles[i])), outputFiles[i]);
                var actual = outs[outputNames[i]];
                if (Compare(expected, actual, 1e-3, 1e-7) is { } why)
                    return $"{name}/{Path.GetFileName(set)} output {i} '{outputNames[i]}': {why}";
            }
        }
        return null;
    }

    /// <summary>numpy.testing.assert_allclose semantics: |a − e| ≤ atol + rtol·|e|, NaN equals NaN; types and shapes must match.</summary>
    public static string? Compare(OnnxValue expected, OnnxValue actual, double rtol, double atol)
    {
        if (expected.ElementType != actual.ElementType) return $"type {actual.ElementType}, expected {expected.ElementType}";
        if (!expected.Shape.SequenceEqual(actual.Shape))
            return $"shape [{string.Join(",", actual.Shape.ToArray())}], expected [{string.Join(",", expected.Shape.ToArray())}]";
        if (expected.Tensor.DType == DType.Int64)
        {
            var e = expected.Tensor.Contiguous().ToArray<long>();
            var a = actual.Tensor.Contiguous().ToArray<long>();
            for (int i = 0; i < e.Length; i++) if (e[i] != a[i]) return $"element {i}: {a[i]}, expected {e[i]}";
            return null;
        }
        var ed = expected.Tensor.Contiguous().ToDoubleArray();
        var ad = actual.Tensor.Contiguous().ToDoubleArray();
        for (int i = 0; i < ed.Length; i++)
        {
            if (double.IsNaN(ed[i]) && double.IsNaN(ad[i])) continue;
            if (ed[i] == ad[i]) continue;
            if (!(Math.Abs(ad[i] - ed[i]) <= atol + rtol * Math.Abs(ed[i]))) return $"element {i}: {ad[i]}, expected {ed[i]}";
        }
        return null;
    }
}
