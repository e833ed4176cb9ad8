using System.Text.Json;
using System.Text.Json.Nodes;
using MLNetDeep.Data;
using MLNetDeep.Persistence;
using MLNetDeep.Tensors;

namespace MLNetDeep.Estimators.Translation;

/// <summary>
/// A trained translator: adds a Text column with the translation of the source column (tokens joined by
/// spaces), decoded greedily or with a beam, and optionally (<see cref="NBest"/>) the k best beam hypotheses with
/// their scores. Rows are translated in batches as a cursor moves. Immutable
/// and thread-safe; the weights, vocabularies, decoding settings and training history are saved with it.
/// </summary>
public sealed class Seq2SeqTransformer : ITransformer
{
    /// <summary>Registry name of this component.</summary>
    public const string ComponentName = "Seq2SeqTranslator";

    /// <summary>Rows translated per batch.</summary>
    public const int TranslationBatchSize = 64;

    /// <summary>Creates the transformer around a trained network.</summary>
    public Seq2SeqTransformer(Seq2SeqNetwork network, TranslationVocabulary sourceVocabulary, TranslationVocabulary targetVocabulary,
        string sourceColumnName, string outputColumnName, int beamSize, double lengthPenalty, int maxTargetLength, IReadOnlyList<Seq2SeqEpoch>? trainingHistory = null, int nBest = 0)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(sourceVocabulary);
        ArgumentNullException.ThrowIfNull(targetVocabulary);
        ArgumentException.ThrowIfNullOrEmpty(sourceColumnName);
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(beamSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxTargetLength);
        CheckNBest(nBest, beamSize, nameof(nBest));
        if (sourceVocabulary.Count != network.Shape.SourceVocabulary || targetVocabulary.Count != network.Shape.TargetVocabulary)
            throw new ArgumentException($"Vocabulary sizes {sourceVocabulary.Count}/{targetVocabulary.Count} do not match the network's {network.Shape.SourceVocabulary}/{network.Shape.TargetVocabulary}.");
        Network = network;
        SourceVocabulary = sourceVocabulary;
        TargetVocabulary = targetVocabulary;
        SourceColumnName = sourceColumnName;
        OutputColumnName = outputColumnName;
        BeamSize = beamSize;
        LengthPenalty = lengthPenalty;
        MaxTargetLength = maxTargetLength;
        TrainingHistory = trainingHistory is null ? [] : [.. trainingHistory];
        NBest = nBest;
    }

    /// <exception cref="ArgumentOutOfRangeException">The n-best count is negative or larger than the beam width.</exception>
    internal static void CheckNBest(int nBest, int beamSize, string name)
    {
        if (nBest < 0 || nBest > beamSize)
            throw new ArgumentOutOfRangeException(name, nBest, $"The n-best count must be between 0 (off) and the beam width {beamSize}.");
    }

    /// <summary>The trained network.</summary>
    public Seq2SeqNetwork Network { get; }

    /// <summary>Source vocabulary.</summary>
    public TranslationVocabulary SourceVocabulary { get; }

    /// <summary>Target vocabulary.</summary>
    public TranslationVocabulary TargetVocabulary { get; }

    /// <summary>Input text column.</summary>
    public string SourceColumnName { get; }

    /// <summary>Output translation column.</summary>
    public string OutputColumnName { get; }

    /// <summary>Beam width (1: greedy).</summary>
    public int BeamSize { get; }

    /// <summary>Length penalty exponent of the beam ranking.</summary>
    public double LengthPenalty { get; }

    /// <summary>Longest translation in tokens.</summary>
    public int MaxTargetLength { get; }

    /// <summary>
    /// Number of best beam hypotheses added per row (0: none): then <see cref="Transform"/> also adds
    /// <see cref="NBestColumnName"/> (Vector&lt;Text&gt; of this size, best first, the first equal to the translation when
    /// the beam is wider than 1) and <see cref="NBestScoresColumnName"/> (Vector&lt;Single&gt;: the length-penalised
    /// log-probabilities the beam ranks by; rows with fewer hypotheses are padded with "" and −∞).
    /// </summary>
    public int NBest { get; }

    /// <summary>The n-best column: <see cref="OutputColumnName"/> + "NBest".</summary>
    public string NBestColumnName => NBestColumn(OutputColumnName);

    /// <summary>The n-best scores column: <see cref="OutputColumnName"/> + "NBestScores".</summary>
    public string NBestScoresColumnName => NBestScoresColumn(OutputColumnName);

    private static string NBestColumn(string output) => output + "NBest";

    private static string NBestScoresColumn(string output) => output + "NBestScores";

    /// <summary>Per-epoch training figures (loss, validation loss and BLEU, throughput).</summary>
    public IReadOnlyList<Seq2SeqEpoch> TrainingHistory { get; }

    /// <summary>The same model decoding with another beam width and length penalty.</summary>
    public Seq2SeqTransformer WithDecoding(int beamSize, double? lengthPenalty = null) =>
        new(Network, SourceVocabulary, TargetVocabulary, SourceColumnName, OutputColumnName, beamSize, lengthPenalty ?? LengthPenalty, MaxTargetLength, TrainingHistory, NBest);

    /// <summary>The same model adding the <paramref name="count"/> best hypotheses and their scores (0: off; at most <see cref="BeamSize"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative or exceeds the beam width.</exception>
    public Seq2SeqTransformer WithNBest(int count)
    {
        CheckNBest(count, BeamSize, nameof(count));
        return new(Network, SourceVocabulary, TargetVocabulary, SourceColumnName, OutputColumnName, BeamSize, LengthPenalty, MaxTargetLength, TrainingHistory, count);
    }

    internal static DataViewSchema OutputSchema(DataViewSchema input, string output, int nBest) => nBest == 0
        ? input.With([(output, TextDataViewType.Instance, null)])
        : input.With([(output, TextDataViewType.Instance, null), (NBestColumn(output), new VectorDataViewType(TextDataViewType.Instance, nBest), null),
            (NBestScoresColumn(output), new VectorDataViewType(NumberDataViewType.Single, nBest), null)]);

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        Seq2SeqTrainer.CheckText(inputSchema, SourceColumnName, "source");
        return OutputSchema(inputSchema, OutputColumnName, NBest);
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new TranslatedView(this, input, GetOutputSchema(input.Schema));
    }

    /// <summary>Translates one pre-tokenized sentence.</summary>
    public string Translate(string source) => Translate([source])[0];

    /// <summary>Translates pre-tokenized sentences (tokens joined by spaces).</summary>
    public string[] Translate(IReadOnlyList<string> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var tokens = sources.Select(TranslationVocabulary.Tokenize).ToList();
        return TranslateTokens(Network, SourceVocabulary, TargetVocabulary, tokens, BeamSize, LengthPenalty, MaxTargetLength, TranslationBatchSize)
            .Select(t => string.Join(' ', t)).ToArray();
    }

    /// <summary>
    /// The <paramref name="count"/> best beam hypotheses of each sentence (beam width at least <paramref name="count"/>) with
    /// their scores; hypotheses cut at <see cref="MaxTargetLength"/> (Ended = false) come after those that ended.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<(string Text, double LogProbability, double Score, bool Ended)>> TranslateNBest(IReadOnlyList<string> sources, int count)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        int beam = Math.Max(BeamSize, count);
        var result = new List<IReadOnlyList<(string, double, double, bool)>>();
        for (int start = 0; start < sources.Count; start += TranslationBatchSize)
        {
            var chunk = sources.Skip(start).Take(TranslationBatchSize).Select(s => SourceVocabulary.Encode(TranslationVocabulary.Tokenize(s))).ToList();
            foreach (var hyps in Seq2SeqDecoding.Beam(Network, Seq2SeqBatch.Create(chunk, null), beam, LengthPenalty, MaxTargetLength))
                result.Add(hyps.Take(count).Select(h => (string.Join(' ', TargetVocabulary.Decode(h.Ids)), h.LogProbability, h.Score, h.Ended)).ToList());
        }
        return result;
    }

    /// <summary>
    /// Translations of pre-tokenized sentences plus, per sentence, the <see cref="NBest"/> best hypotheses and their
    /// scores (decoded once: the translation is the first hypothesis when the beam is wider than 1).
    /// </summary>
    internal (string[] Translations, string[][] NBest, float[][] Scores) TranslateWithNBest(IReadOnlyList<string> sources)
    {
        var tokens = sources.Select(TranslationVocabulary.Tokenize).ToList();
        var hyps = DecodeSorted(SourceVocabulary, tokens, TranslationBatchSize, batch => Seq2SeqDecoding.Beam(Network, batch, BeamSize, LengthPenalty, MaxTargetLength));
        string Text(Hypothesis h) => string.Join(' ', TargetVocabulary.Decode(h.Ids));
        var translations = BeamSize == 1 ? Translate(sources) : hyps.Select(h => h.Count > 0 ? Text(h[0]) : "").ToArray();
        var nBest = hyps.Select(h => Enumerable.Range(0, NBest).Select(j => j < h.Count ? Text(h[j]) : "").ToArray()).ToArray();
        var scores = hyps.Select(h => Enumerable.Range(0, NBest).Select(j => j < h.Count ? (float)h[j].Score : float.NegativeInfinity).ToArray()).ToArray();
        return (translations, nBest, scores);
    }

    /// <summary>Decodes sentences in length-sorted batches, returning tokens in the input order.</summary>
    internal static List<string[]> TranslateTokens(Seq2SeqNetwork net, TranslationVocabulary src, TranslationVocabulary tgt, IReadOnlyList<string[]> sources,
        int beamSize, double lengthPenalty, int maxLength, int batchSize) =>
        DecodeSorted(src, sources, batchSize, batch => beamSize == 1
                ? Seq2SeqDecoding.Greedy(net, batch, maxLength)
                : Seq2SeqDecoding.Beam(net, batch, beamSize, lengthPenalty, maxLength).Select(h => h.Count > 0 ? h[0].Ids : []).ToArray())
            .Select(ids => tgt.Decode(ids)).ToList();

    /// <summary>Runs <paramref name="decode"/> on batches of similar-length sentences; results in the input order.</summary>
    private static T[] DecodeSorted<T>(TranslationVocabulary src, IReadOnlyList<string[]> sources, int batchSize, Func<Seq2SeqBatch, IReadOnlyList<T>> decode)
    {
        var ids = sources.Select(s => src.Encode(s)).ToList();
        var order = Enumerable.Range(0, ids.Count).OrderBy(i => ids[i].Length).ToArray();
        var result = new T[ids.Count];
        for (int start = 0; start < order.Length; start += batchSize)
        {
            var rows = order[start..Math.Min(order.Length, start + batchSize)];
            var decoded = decode(Seq2SeqBatch.Create(rows.Select(i => ids[i]).ToList(), null));
            for (int r = 0; r < rows.Length; r++) result[rows[r]] = decoded[r];
        }
        return result;
    }

    /// <inheritdoc/>
    public void Save(ModelSaveContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        static JsonArray Strings(IEnumerable<string> s) => new(s.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray());
        context.SetComponent(ComponentName, 1);
        var s = Network.Shape;
        var o = context.Options;
        o["sourceColumn"] = SourceColumnName;
        o["outputColumn"] = OutputColumnName;
        o["cell"] = s.Cell.ToString();
        o["layers"] = s.Layers;
        o["bidirectional"] = s.Bidirectional;
        o["embeddingDimension"] = s.EmbeddingDimension;
        o["hiddenSize"] = s.HiddenSize;
        o["attention"] = s.Attention.ToString();
        o["beamSize"] = BeamSize;
        o["lengthPenalty"] = LengthPenalty;
        o["maxTargetLength"] = MaxTargetLength;
        o["nBest"] = NBest;
        o["sourceVocabulary"] = Strings(SourceVocabulary.Vocabulary.Terms);
        o["targetVocabulary"] = Strings(TargetVocabulary.Vocabulary.Terms);
        o["history"] = JsonSerializer.Serialize(TrainingHistory);
        foreach (var (name, t) in Network.StateDict()) context.AddTensor(name, t);
    }

    internal static Seq2SeqTransformer Load(ModelLoadContext c)
    {
        c.RequireVersion(1);
        TEnum Enum<TEnum>(string field) where TEnum : struct, Enum =>
            System.Enum.TryParse<TEnum>(c.GetString(field), out var v) && System.Enum.IsDefined(v) ? v : throw c.Error(field, $"unknown value '{c.GetString(field)}'.");
        TranslationVocabulary Vocab(string field)
        {
            try { return new TranslationVocabulary(new MLNetDeep.Conversion.Vocabulary(c.GetStringArray(field), "<unk>")); }
            catch (ArgumentException e) { throw c.Error(field, e.Message, e); }
        }
        var src = Vocab("sourceVocabulary");
        var tgt = Vocab("targetVocabulary");
        int layers = c.GetInt("layers"), emb = c.GetInt("embeddingDimension"), hidden = c.GetInt("hiddenSize"), beam = c.GetInt("beamSize"), max = c.GetInt("maxTargetLength");
        if (layers < 1 || emb < 1 || hidden < 1 || beam < 1 || max < 1) throw c.Error("layers", "sizes must be positive.");
        int nBest = c.Has("nBest") ? c.GetInt("nBest") : 0;
        if (nBest < 0 || nBest > beam) throw c.Error("nBest", $"must be between 0 and the beam width {beam}, got {nBest}.");
        var shape = new Seq2SeqShape(Enum<Seq2SeqCell>("cell"), layers, c.GetBool("bidirectional"), src.Count, tgt.Count, emb, hidden, Enum<Seq2SeqAttentionKind>("attention"));
        var net = new Seq2SeqNetwork(shape, new Generator(0));
        net.LoadStateDict(c.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value), strict: true);
        net.Eval();
        List<Seq2SeqEpoch>? history;
        try { history = JsonSerializer.Deserialize<List<Seq2SeqEpoch>>(c.GetString("history")); }
        catch (JsonException e) { throw c.Error("history", e.Message, e); }
        return new Seq2SeqTransformer(net, src, tgt, c.GetString("sourceColumn"), c.GetString("outputColumn"), beam, c.GetDouble("lengthPenalty"), max, history, nBest);
    }
}
