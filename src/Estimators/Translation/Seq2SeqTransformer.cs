using System.Text.Json;
using System.Text.Json.Nodes;
using MLNetDeep.Data;
using MLNetDeep.Persistence;
using MLNetDeep.Tensors;

namespace MLNetDeep.Estimators.Translation;

/// <summary>
/// A trained translator: adds a Text column with the translation of the source column (tokens joined by
/// spaces), decoded greedily or with a beam. Rows are translated in batches as a cursor moves. Immutable
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
        string sourceColumnName, string outputColumnName, int beamSize, double lengthPenalty, int maxTargetLength, IReadOnlyList<Seq2SeqEpoch>? trainingHistory = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(sourceVocabulary);
        ArgumentNullException.ThrowIfNull(targetVocabulary);
        ArgumentException.ThrowIfNullOrEmpty(sourceColumnName);
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(beamSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxTargetLength);
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

    /// <summary>Per-epoch training figures (loss, validation loss and BLEU, throughput).</summary>
    public IReadOnlyList<Seq2SeqEpoch> TrainingHistory { get; }

    /// <summary>The same model decoding with another beam width and length penalty.</summary>
    public Seq2SeqTransformer WithDecoding(int beamSize, double? lengthPenalty = null) =>
        new(Network, SourceVocabulary, TargetVocabulary, SourceColumnName, OutputColumnName, beamSize, lengthPenalty ?? LengthPenalty, MaxTargetLength, TrainingHistory);

    internal static DataViewSchema OutputSchema(DataViewSchema input, string output) => input.With([(output, TextDataViewType.Instance, null)]);

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        Seq2SeqTrainer.CheckText(inputSchema, SourceColumnName, "source");
        return OutputSchema(inputSchema, OutputColumnName);
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

    /// <summary>Decodes sentences in length-sorted batches, returning tokens in the input order.</summary>
    internal static List<string[]> TranslateTokens(Seq2SeqNetwork net, TranslationVocabulary src, TranslationVocabulary tgt, IReadOnlyList<string[]> sources,
        int beamSize, double lengthPenalty, int maxLength, int batchSize)
    {
        var ids = sources.Select(s => src.Encode(s)).ToList();
        var order = Enumerable.Range(0, ids.Count).OrderBy(i => ids[i].Length).ToArray();
        var result = new string[ids.Count][];
        for (int start = 0; start < order.Length; start += batchSize)
        {
            var rows = order[start..Math.Min(order.Length, start + batchSize)];
            var batch = Seq2SeqBatch.Create(rows.Select(i => ids[i]).ToList(), null);
            var decoded = beamSize == 1
                ? Seq2SeqDecoding.Greedy(net, batch, maxLength)
                : Seq2SeqDecoding.Beam(net, batch, beamSize, lengthPenalty, maxLength).Select(h => h.Count > 0 ? h[0].Ids : []).ToArray();
            for (int r = 0; r < rows.Length; r++) result[rows[r]] = tgt.Decode(decoded[r]);
        }
        return [.. result];
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
        var shape = new Seq2SeqShape(Enum<Seq2SeqCell>("cell"), layers, c.GetBool("bidirectional"), src.Count, tgt.Count, emb, hidden, Enum<Seq2SeqAttentionKind>("attention"));
        var net = new Seq2SeqNetwork(shape, new Generator(0));
        net.LoadStateDict(c.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value), strict: true);
        net.Eval();
        List<Seq2SeqEpoch>? history;
        try { history = JsonSerializer.Deserialize<List<Seq2SeqEpoch>>(c.GetString("history")); }
        catch (JsonException e) { throw c.Error("history", e.Message, e); }
        return new Seq2SeqTransformer(net, src, tgt, c.GetString("sourceColumn"), c.GetString("outputColumn"), beam, c.GetDouble("lengthPenalty"), max, history);
    }
}
