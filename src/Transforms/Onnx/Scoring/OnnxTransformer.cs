using System.Globalization;
using System.Text.Json.Nodes;
using MLNetDeep.Data;
using MLNetDeep.Persistence;
using MLNetDeep.Tensors;

namespace MLNetDeep.Onnx.Scoring;

/// <summary>
/// Applies an ONNX model to data with the managed runtime (ML.NET's <c>OnnxTransformer</c>): each model
/// input reads the column of the same name, each chosen model output becomes a vector column of the same
/// name. Rows are fed in batches of <see cref="BatchSize"/> along the model's batch axis (axis 0 when it is
/// dynamic or 1). Saved with the ONNX bytes inside the model file; loading parses them as data only.
/// Immutable and thread-safe (each cursor has its own session).
/// </summary>
public sealed class OnnxTransformer : ITransformer
{
    /// <summary>Registry name of this component.</summary>
    public const string ComponentName = "OnnxTransformer";

    private readonly byte[] _bytes;
    private readonly Dictionary<string, int[]> _shapes;

    /// <summary>Loads the model from <paramref name="modelBytes"/> and binds the columns.</summary>
    /// <param name="modelBytes">The ONNX file's bytes (kept; the transformer saves them).</param>
    /// <param name="outputColumnNames">Model outputs to produce as columns; null or empty: all.</param>
    /// <param name="inputColumnNames">Model inputs to feed from columns; null or empty: all (every input must be fed).</param>
    /// <param name="shapeDictionary">Shapes replacing the model's declared ones, by input/output name (-1: dynamic).</param>
    /// <param name="batchSize">Rows per run of the model.</param>
    /// <param name="limits">Load limits (default <see cref="OnnxLoadOptions.Default"/>).</param>
    /// <exception cref="OnnxModelException">The bytes are not a valid or supported ONNX model.</exception>
    /// <exception cref="OnnxScoringException">A named input/output does not exist or has an unsupported type.</exception>
    public OnnxTransformer(byte[] modelBytes, string[]? outputColumnNames = null, string[]? inputColumnNames = null,
        IDictionary<string, int[]>? shapeDictionary = null, int batchSize = 64, OnnxLoadOptions? limits = null)
    {
        ArgumentNullException.ThrowIfNull(modelBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _bytes = modelBytes;
        Model = OnnxModel.Load(modelBytes, limits);
        BatchSize = batchSize;
        _shapes = shapeDictionary is null ? new(StringComparer.Ordinal) : new(shapeDictionary, StringComparer.Ordinal);
        foreach (var key in _shapes.Keys)
            if (!Model.Inputs.Any(i => i.Name == key) && !Model.Outputs.Any(o => o.Name == key))
                throw new OnnxScoringException(key, $"ApplyOnnxModel: shapeDictionary names '{key}', which is not an input or output of the model.");
        Inputs = Bind(Model.Inputs, inputColumnNames, "input");
        if (Inputs.Count != Model.Inputs.Count)
        {
            var missing = Model.Inputs.First(i => !Inputs.Any(b => b.Name == i.Name)).Name;
            throw new OnnxScoringException(missing, $"ApplyOnnxModel: model input '{missing}' is not among the input columns ({string.Join(", ", inputColumnNames ?? [])}); every model input must be fed.");
        }
        Outputs = Bind(Model.Outputs, outputColumnNames, "output");
    }

    private List<OnnxColumnBinding> Bind(IReadOnlyList<OnnxValueInfo> infos, string[]? names, string what)
    {
        if (names is null || names.Length == 0) return infos.Select(i => OnnxColumnBinding.From(i, _shapes.GetValueOrDefault(i.Name), what)).ToList();
        return names.Select(n =>
        {
            var info = infos.FirstOrDefault(i => i.Name == n)
                ?? throw new OnnxScoringException(n, $"ApplyOnnxModel: '{n}' is not a model {what}; the model's {what}s are {string.Join(", ", infos.Select(i => i.Name))}.");
            return OnnxColumnBinding.From(info, _shapes.GetValueOrDefault(n), what);
        }).ToList();
    }

    /// <summary>The loaded model.</summary>
    public OnnxModel Model { get; }

    /// <summary>Rows per run of the model.</summary>
    public int BatchSize { get; }

    /// <summary>Names of the model inputs, which are also the input column names.</summary>
    public IReadOnlyList<string> InputColumnNames => Inputs.Select(b => b.Name).ToArray();

    /// <summary>Names of the produced output columns (the model output names).</summary>
    public IReadOnlyList<string> OutputColumnNames => Outputs.Select(b => b.Name).ToArray();

    internal List<OnnxColumnBinding> Inputs { get; }

    internal List<OnnxColumnBinding> Outputs { get; }

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        foreach (var b in Inputs)
        {
            var col = inputSchema.GetColumnOrNull(b.Name)
                ?? throw new SchemaMismatchException(b.Name, $"ApplyOnnxModel: input column '{b.Name}' (model input '{b.Name}') not found; the schema has {inputSchema.Describe()}.");
            if (b.Incompatibility(col) is string problem) throw new SchemaMismatchException(b.Name, "ApplyOnnxModel: " + problem);
        }
        return inputSchema.With(Outputs.Select(o => (o.Name, (DataViewType)o.OutputType, (IReadOnlyList<string>?)null)));
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new OnnxScoredView(this, input, GetOutputSchema(input.Schema));
    }

    /// <inheritdoc/>
    public void Save(ModelSaveContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.SetComponent(ComponentName, 1);
        context.Options["inputColumns"] = new JsonArray(Inputs.Select(b => (JsonNode?)JsonValue.Create(b.Name)).ToArray());
        context.Options["outputColumns"] = new JsonArray(Outputs.Select(b => (JsonNode?)JsonValue.Create(b.Name)).ToArray());
        context.Options["batchSize"] = BatchSize;
        context.Options["onnxBytes"] = _bytes.LongLength;
        // Shapes as "name=d0,d1,..." strings (the name is everything before the last '=').
        context.Options["shapeDictionary"] = new JsonArray(_shapes.Select(kv =>
            (JsonNode?)JsonValue.Create(kv.Key + "=" + string.Join(",", kv.Value.Select(d => d.ToString(CultureInfo.InvariantCulture))))).ToArray());
        // The ONNX file travels as raw little-endian bytes in an int64 tensor (zero-padded to 8 bytes).
        var packed = new long[(_bytes.Length + 7) / 8];
        Buffer.BlockCopy(_bytes, 0, packed, 0, _bytes.Length);
        context.AddTensor("onnx", Tensor.FromArray(packed, packed.Length));
    }

    internal static void RegisterLoader() => ComponentRegistry.Register(ComponentName, Load);

    internal static OnnxTransformer Load(ModelLoadContext c)
    {
        c.RequireVersion(1);
        long n = c.GetLong("onnxBytes");
        var packed = c.GetTensor("onnx", DType.Int64);
        if (n < 0 || (n + 7) / 8 != packed.Numel) throw c.Error("onnxBytes", $"{n} bytes do not fit the {packed.Numel}-element 'onnx' tensor.");
        var bytes = new byte[n];
        Buffer.BlockCopy(packed.ToArray<long>(), 0, bytes, 0, (int)n);
        var shapes = new Dictionary<string, int[]>(StringComparer.Ordinal);
        if (c.Has("shapeDictionary"))
        {
            foreach (var entry in c.GetStringArray("shapeDictionary"))
            {
                int eq = entry.LastIndexOf('=');
                if (eq <= 0) throw c.Error("shapeDictionary", $"'{entry}' is not 'name=d0,d1,...'.");
                var parts = entry[(eq + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries);
                var dims = new int[parts.Length];
                for (int i = 0; i < parts.Length; i++)
                    if (!int.TryParse(parts[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out dims[i]))
                        throw c.Error("shapeDictionary", $"'{entry}' has a dimension that is not an integer.");
                shapes[entry[..eq]] = dims;
            }
        }
        try
        {
            return new OnnxTransformer(bytes, c.GetStringArray("outputColumns"), c.GetStringArray("inputColumns"), shapes, c.GetInt("batchSize"));
        }
        catch (OnnxException e)
        {
            throw c.Error("onnx", e.Message, e);
        }
    }
}
