using System.Text.Json.Nodes;
using MLNetDeep.Tensors;
using MLNetDeep.Tests.Oracles;
using P = MLNetDeep.Tests.Parity.Parity;

namespace MLNetDeep.Tests.Layers.Attention;

/// <summary>Result of an "attention_ref" oracle request: outputs [result, weights] and gradients by tensor name.</summary>
public sealed class AttentionRefResult
{
    public AttentionRefResult(JsonObject raw)
    {
        Outputs = raw["outputs"]!.AsArray().Select(n => n is null ? null : OracleTensor.FromJson(n)).ToList();
        Grads = raw["grads"] is JsonObject g
            ? g.ToDictionary(kv => kv.Key, kv => kv.Value is null ? null : OracleTensor.FromJson(kv.Value))
            : new Dictionary<string, OracleTensor?>();
    }

    public IReadOnlyList<OracleTensor?> Outputs { get; }

    public IReadOnlyDictionary<string, OracleTensor?> Grads { get; }
}

/// <summary>Helpers for the attention parity tests (the oracle protocol is only extended, never changed).</summary>
public static class AttentionOracle
{
    /// <summary>
    /// Runs the torch reference <paramref name="name"/> ("sdpa", "additive", "luong") in the oracle on the named tensors
    /// (a boolean mask is sent with as_bool) with upstream gradients for [result, weights].
    /// </summary>
    public static AttentionRefResult Reference(this TorchOracle oracle, string name, IEnumerable<(string Name, JsonNode Tensor)> tensors,
        IDictionary<string, object?>? options, IReadOnlyList<OracleTensor?> gradOutputs)
    {
        var t = new JsonObject();
        foreach (var (n, node) in tensors) t[n] = node;
        var req = new JsonObject
        {
            ["kind"] = "attention_ref",
            ["name"] = name,
            ["tensors"] = t,
            ["options"] = OracleJson.ToNode(options ?? new Dictionary<string, object?>()),
            ["grad_outputs"] = OracleJson.ToNode(gradOutputs),
        };
        return new AttentionRefResult(oracle.Request(req));
    }

    /// <summary>A float tensor as oracle JSON (a gradient-requiring leaf unless <paramref name="requiresGrad"/> is false).</summary>
    public static JsonNode T(Tensor t, bool requiresGrad = true) => P.ToOracle(t, requiresGrad).ToJson();

    /// <summary>An Int64 0/1 tensor as a torch bool mask.</summary>
    public static JsonNode BoolMask(Tensor mask)
    {
        var json = P.ToOracle(mask, false).ToJson();
        json["as_bool"] = true;
        return json;
    }

    /// <summary>A seeded standard-normal float32 tensor.</summary>
    public static Tensor R(int seed, params int[] shape) => Tensor.Randn(shape, new Generator((ulong)seed));

    /// <summary>A seeded 0/1 Int64 mask with probability <paramref name="p"/> of 1, never masking column 0 (so no row is fully masked).</summary>
    public static Tensor RandomMask(int seed, double p, params int[] shape)
    {
        var g = new Generator((ulong)seed);
        var data = new long[shape.Aggregate(1, (a, b) => a * b)];
        int last = shape[^1];
        for (int i = 0; i < data.Length; i++) data[i] = i % last != 0 && g.NextDouble() < p ? 1 : 0;
        return Tensor.FromArray(data, shape);
    }
}
