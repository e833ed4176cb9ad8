using System.Text.Json.Nodes;
using MLNetDeep.Data;
using MLNetDeep.Persistence;
using MLNetDeep.Tensors;

namespace MLNetDeep.Estimators.Word2Vec;

/// <summary>
/// A fitted word2vec featurizer: maps a Vector&lt;Text&gt; token column to the per-token vectors
/// (Vector&lt;Single&gt;, tokens × VectorSize, row-major) and a pooled sentence vector (mean, or min/mean/max
/// concatenated). Unknown tokens follow <see cref="UnknownWords"/>. The trained vectors and their queries are
/// in <see cref="Model"/>. Immutable and thread-safe.
/// </summary>
public sealed class Word2VecTransformer : ColumnMappingTransformer
{
    /// <summary>Registry name of this component.</summary>
    public const string ComponentName = "Word2Vec";

    /// <summary>Creates the transformer.</summary>
    /// <param name="model">The word vectors.</param>
    /// <param name="inputColumnName">Token column (Vector&lt;Text&gt;).</param>
    /// <param name="outputColumnName">Pooled vector column.</param>
    /// <param name="tokenVectorsColumnName">Per-token vectors column.</param>
    /// <param name="pooling">Pooling of the sentence vector.</param>
    /// <param name="unknownWords">Handling of unknown tokens.</param>
    public Word2VecTransformer(Word2VecModel model, string inputColumnName, string outputColumnName, string tokenVectorsColumnName,
        Word2VecPooling pooling = Word2VecPooling.Mean, UnknownWordPolicy unknownWords = UnknownWordPolicy.Ignore)
        : base([(outputColumnName, inputColumnName), (tokenVectorsColumnName, inputColumnName)])
    {
        ArgumentNullException.ThrowIfNull(model);
        if (outputColumnName == tokenVectorsColumnName) throw new ArgumentException("The token vectors column must differ from the output column.", nameof(tokenVectorsColumnName));
        Model = model;
        Pooling = pooling;
        UnknownWords = unknownWords;
    }

    /// <summary>The trained vectors (similarity and analogy queries, word2vec format export).</summary>
    public Word2VecModel Model { get; }

    /// <summary>Token column.</summary>
    public string InputColumnName => Columns[0].InputColumnName;

    /// <summary>Pooled vector column.</summary>
    public string OutputColumnName => Columns[0].OutputColumnName;

    /// <summary>Per-token vectors column.</summary>
    public string TokenVectorsColumnName => Columns[1].OutputColumnName;

    /// <summary>Pooling of the sentence vector.</summary>
    public Word2VecPooling Pooling { get; }

    /// <summary>Handling of unknown tokens.</summary>
    public UnknownWordPolicy UnknownWords { get; }

    /// <summary>Width of the pooled vector (VectorSize, or 3 × VectorSize for min/mean/max).</summary>
    public int PooledSize => Pooling == Word2VecPooling.MinMeanMax ? 3 * Model.VectorSize : Model.VectorSize;

    /// <summary>
    /// The ONNX graph's ids for <paramref name="tokens"/>: key k (1-based) for word k-1; unknown words get 0
    /// (skipped) under <see cref="UnknownWordPolicy.Ignore"/> and Count + 1 (a zero vector that counts in the
    /// mean) under <see cref="UnknownWordPolicy.ZeroVector"/>. 0 is also the padding id.
    /// </summary>
    /// <exception cref="KeyNotFoundException">A token is unknown and the policy is <see cref="UnknownWordPolicy.Error"/>.</exception>
    public long[] GetTokenIds(IReadOnlyList<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var ids = new long[tokens.Count];
        for (int i = 0; i < ids.Length; i++)
        {
            int index = Model.IndexOf(tokens[i]);
            ids[i] = index >= 0 ? index + 1 : UnknownWords switch
            {
                UnknownWordPolicy.ZeroVector => Model.Count + 1,
                UnknownWordPolicy.Ignore => 0,
                _ => throw Unknown(tokens[i], InputColumnName),
            };
        }
        return ids;
    }

    /// <summary>The vectors of the tokens kept by the unknown-word policy, row-major [kept × VectorSize].</summary>
    public float[] GetTokenVectors(IReadOnlyList<string> tokens) => TokenVectors(GetTokenIds(tokens));

    /// <summary>The pooled vector of <paramref name="tokens"/> (zeros when no token is kept).</summary>
    public float[] GetSentenceVector(IReadOnlyList<string> tokens) => Pool(GetTokenIds(tokens));

    private float[] TokenVectors(long[] ids)
    {
        int dim = Model.VectorSize, kept = ids.Count(i => i > 0);
        var result = new float[kept * dim];
        var all = Model.Vectors;
        int at = 0;
        foreach (long id in ids)
        {
            if (id <= 0) continue;
            if (id <= Model.Count) all.Slice((int)(id - 1) * dim, dim).CopyTo(result.AsSpan(at * dim, dim));
            at++;
        }
        return result;
    }

    private float[] Pool(long[] ids)
    {
        int dim = Model.VectorSize;
        var mean = new float[dim];
        var min = new float[dim];
        var max = new float[dim];
        Array.Fill(min, float.PositiveInfinity);
        Array.Fill(max, float.NegativeInfinity);
        int n = 0;
        var all = Model.Vectors;
        foreach (long id in ids)
        {
            if (id <= 0) continue;
            n++;
            var row = id <= Model.Count ? all.Slice((int)(id - 1) * dim, dim) : new float[dim];
            for (int k = 0; k < dim; k++)
            {
                mean[k] += row[k];
                min[k] = Math.Min(min[k], row[k]);
                max[k] = Math.Max(max[k], row[k]);
            }
        }
        for (int k = 0; k < dim; k++) mean[k] = n == 0 ? 0 : mean[k] / n;
        if (Pooling == Word2VecPooling.Mean) return mean;
        if (n == 0) return new float[3 * dim];
        return [.. min, .. mean, .. max];
    }

    internal static KeyNotFoundException Unknown(string token, string column) =>
        new($"Word2Vec: token '{token}' in column '{column}' is not in the vocabulary (UnknownWords = Error).");

    internal static void CheckInput(DataViewSchema.Column input)
    {
        if (input.Type is not VectorDataViewType { ItemType: TextDataViewType })
            throw new SchemaMismatchException(input.Name, $"Word2Vec: column '{input.Name}' must be Vector<Text> (tokens, e.g. from TokenizeIntoWords), got {input.Type}.");
    }

    /// <inheritdoc/>
    protected override (DataViewType Type, IReadOnlyList<string>? KeyValues) GetOutputType(DataViewSchema.Column input, int pair)
    {
        CheckInput(input);
        return (pair == 0 ? new VectorDataViewType(NumberDataViewType.Single, PooledSize) : new VectorDataViewType(NumberDataViewType.Single), null);
    }

    /// <inheritdoc/>
    protected override object Map(object value, DataViewSchema.Column input, int pair)
    {
        var ids = GetTokenIds((string[])value);
        return pair == 0 ? Pool(ids) : TokenVectors(ids);
    }

    /// <inheritdoc/>
    public override void Save(ModelSaveContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.SetComponent(ComponentName, 1);
        SaveColumns(context);
        context.Options["pooling"] = Pooling.ToString();
        context.Options["unknownWords"] = UnknownWords.ToString();
        context.Options["vectorSize"] = Model.VectorSize;
        context.Options["words"] = new JsonArray(Model.Words.Select(w => (JsonNode?)JsonValue.Create(w)).ToArray());
        context.AddTensor("counts", Tensor.FromArray(Model.Counts.ToArray()));
        context.AddTensor("vectors", Tensor.FromArray(Model.RawVectors, Model.Count, Model.VectorSize));
    }

    internal static Word2VecTransformer Load(ModelLoadContext c)
    {
        c.RequireVersion(1);
        var columns = LoadColumns(c);
        if (columns.Length != 2 || columns[0].InputColumnName != columns[1].InputColumnName) throw c.Error("inputs", "must name one token column twice (pooled and token vectors).");
        int dim = c.GetInt("vectorSize");
        if (dim < 1) throw c.Error("vectorSize", "must be positive.");
        var words = c.GetStringArray("words");
        if (!Enum.TryParse<Word2VecPooling>(c.GetString("pooling"), out var pooling)) throw c.Error("pooling", "unknown pooling.");
        if (!Enum.TryParse<UnknownWordPolicy>(c.GetString("unknownWords"), out var unknown)) throw c.Error("unknownWords", "unknown policy.");
        var counts = c.GetTensor("counts", DType.Int64, [words.Length]).ToArray<long>();
        var vectors = c.GetTensor("vectors", DType.Float32, [words.Length, dim]).ToArray<float>();
        Word2VecModel model;
        try
        {
            model = new Word2VecModel(words, counts, vectors, dim);
        }
        catch (ArgumentException e)
        {
            throw c.Error("words", e.Message, e);
        }
        return new Word2VecTransformer(model, columns[0].InputColumnName, columns[0].OutputColumnName, columns[1].OutputColumnName, pooling, unknown);
    }
}
