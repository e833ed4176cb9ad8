using System.Text.Json.Nodes;
using MLNetDeep.Tests.Oracles;

namespace MLNetDeep.Tests.Translation;

/// <summary>
/// Client of <c>tools/oracles/bleu_oracle.py</c>: nltk 3.8's <c>corpus_bleu</c> (default weights, no
/// smoothing) for /usr/bin/python3. Start once per fixture with <see cref="Start"/>.
/// </summary>
public sealed class BleuOracle : JsonLineOracle
{
    public const string ScriptRelativePath = "tools/oracles/bleu_oracle.py";
    private static string? s_unavailable;

    private BleuOracle(string python, string script, string root) : base("BLEU oracle", python, ["-u", script], root)
    {
    }

    protected override IEnumerable<KeyValuePair<string, string>> Environment =>
        [new("PYTHONUNBUFFERED", "1"), new("PYTHONDONTWRITEBYTECODE", "1")];

    /// <summary>Starts the oracle, or ignores (fails with MLNETDEEP_REQUIRE_ORACLES=1) the calling fixture when it cannot run.</summary>
    public static BleuOracle Start() => StartCached(ref s_unavailable, Create, "BLEU oracle", "install python3-nltk");

    private static BleuOracle Create()
    {
        var (python, script, root) = LocatePythonScript(ScriptRelativePath);
        return new BleuOracle(python, script, root);
    }

    /// <summary>nltk's corpus BLEU (in [0, 1]) of tokenized hypotheses against their references.</summary>
    public double CorpusBleu(IReadOnlyList<IReadOnlyList<string>> hypotheses, IReadOnlyList<IReadOnlyList<IReadOnlyList<string>>> references)
    {
        static JsonArray Tokens(IReadOnlyList<string> t) => new(t.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray());
        var r = Request(new JsonObject
        {
            ["kind"] = "bleu",
            ["hypotheses"] = new JsonArray(hypotheses.Select(h => (JsonNode?)Tokens(h)).ToArray()),
            ["references"] = new JsonArray(references.Select(rs => (JsonNode?)new JsonArray(rs.Select(x => (JsonNode?)Tokens(x)).ToArray())).ToArray()),
        });
        return r["bleu"]!.GetValue<double>();
    }
}
