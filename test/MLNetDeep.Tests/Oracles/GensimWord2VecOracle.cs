using System.Text.Json.Nodes;

namespace MLNetDeep.Tests.Oracles;

/// <summary>
/// Client of <c>tools/oracles/word2vec_oracle.py</c>: trains gensim's Word2Vec (gensim 4.2 for /usr/bin/python3)
/// on a file with given options and returns neighbours/vectors, or loads word2vec-format files with gensim.
/// Start once per fixture with <see cref="Start"/>.
/// </summary>
public sealed class GensimWord2VecOracle : JsonLineOracle
{
    public const string ScriptRelativePath = "tools/oracles/word2vec_oracle.py";
    private static string? s_unavailable;

    private GensimWord2VecOracle(string python, string script, string root) : base("gensim word2vec oracle", python, ["-u", script], root)
    {
        GensimVersion = Pong?["gensim"]?.ToString() ?? "";
        Timeout = TimeSpan.FromSeconds(300);
    }

    /// <summary>gensim.__version__ of the running process.</summary>
    public string GensimVersion { get; }

    protected override IEnumerable<KeyValuePair<string, string>> Environment =>
        [new("PYTHONUNBUFFERED", "1"), new("PYTHONDONTWRITEBYTECODE", "1"), new("OMP_NUM_THREADS", "1"), new("OPENBLAS_NUM_THREADS", "1"), new("PYTHONHASHSEED", "0")];

    /// <summary>Starts the oracle, or ignores (fails with MLNETDEEP_REQUIRE_ORACLES=1) the calling fixture when it cannot run.</summary>
    public static GensimWord2VecOracle Start() => StartCached(ref s_unavailable, Create, "gensim word2vec oracle", "install python3-gensim");

    private static GensimWord2VecOracle Create()
    {
        var (python, script, root) = LocatePythonScript(ScriptRelativePath);
        return new GensimWord2VecOracle(python, script, root);
    }

    /// <summary>Trains gensim on <paramref name="corpus"/> (gensim option names) and returns its raw response.</summary>
    /// <param name="corpus">A text file, one tokenized sentence per line.</param>
    /// <param name="options">gensim Word2Vec keyword arguments (sg, vector_size, window, ..., seed).</param>
    /// <param name="neighboursOf">Top-10 neighbours of this many most frequent words are returned.</param>
    /// <param name="vectorsOf">Words whose vectors are returned.</param>
    /// <param name="saveText">Also save the vectors here in word2vec text format.</param>
    /// <param name="saveBinary">Also save the vectors here in word2vec binary format.</param>
    public JsonObject Train(string corpus, IReadOnlyDictionary<string, double> options, int neighboursOf = 0, IEnumerable<string>? vectorsOf = null, string? saveText = null, string? saveBinary = null)
    {
        var opts = new JsonObject();
        foreach (var (k, v) in options) opts[k] = v;
        var req = new JsonObject { ["kind"] = "train", ["corpus"] = Path.GetFullPath(corpus), ["options"] = opts, ["neighbours_of"] = neighboursOf, ["topn"] = 10 };
        if (vectorsOf is not null) req["vectors_of"] = new JsonArray(vectorsOf.Select(w => (JsonNode)JsonValue.Create(w)!).ToArray());
        if (saveText is not null) req["save_text"] = Path.GetFullPath(saveText);
        if (saveBinary is not null) req["save_binary"] = Path.GetFullPath(saveBinary);
        return Request(req);
    }

    /// <summary>Loads a word2vec-format file with gensim; returns count, size, vectors of <paramref name="words"/> and neighbours of <paramref name="query"/>.</summary>
    public JsonObject Load(string path, bool binary, IEnumerable<string> words, string? query = null)
    {
        var req = new JsonObject
        {
            ["kind"] = "load", ["path"] = Path.GetFullPath(path), ["binary"] = binary,
            ["words"] = new JsonArray(words.Select(w => (JsonNode)JsonValue.Create(w)!).ToArray()),
        };
        if (query is not null) req["query"] = query;
        return Request(req);
    }

    /// <summary>Reads a {word: [floats]} object.</summary>
    public static Dictionary<string, float[]> Vectors(JsonNode? node) =>
        node!.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value!.AsArray().Select(x => (float)x!.GetValue<double>()).ToArray());
}
