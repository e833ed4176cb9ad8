using MLNetDeep.Data;
using MLNetDeep.Persistence;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;
using MLNetDeep.Tensors.Nn.Quantized;

namespace MLNetDeep.Estimators.Compression;

/// <summary>
/// A classifier scoring with its int8-quantized network: the float classifier's columns, labels and preprocessing
/// (<see cref="INetworkClassifier.WithNetwork"/>) around the network that <see cref="PostTrainingQuantizer"/> made.
/// Saved as the float classifier (a child component) plus the quantization options and calibrated ranges; loading
/// re-quantizes the float weights, which gives the same int8 weights (quantization is deterministic), and runs no
/// code from the file. Exports to ONNX as a QDQ graph when the float classifier exports.
/// </summary>
public sealed class QuantizedClassifierTransformer : INetworkClassifier, IOnnxExportable
{
    /// <summary>Registry name of this component.</summary>
    public const string ComponentName = "QuantizedClassifier";

    private readonly INetworkClassifier _scorer;
    private readonly ActivationRange[] _ranges;

    internal QuantizedClassifierTransformer(INetworkClassifier floatModel, QuantizationOptions options, IReadOnlyList<ActivationRange> ranges, Module<Tensor, Tensor> network)
    {
        FloatModel = floatModel;
        Options = options;
        _ranges = [.. ranges];
        _scorer = floatModel.WithNetwork(network);
    }

    /// <summary>The float classifier this one was quantized from.</summary>
    public INetworkClassifier FloatModel { get; }

    /// <summary>The options used for calibration.</summary>
    public QuantizationOptions Options { get; }

    /// <summary>The calibrated input ranges of the statically quantized layers.</summary>
    public IReadOnlyList<ActivationRange> Ranges => _ranges;

    /// <summary>The int8 network.</summary>
    public Module<Tensor, Tensor> Network => _scorer.Network;

    /// <inheritdoc/>
    public IReadOnlyList<int> InputShape => _scorer.InputShape;

    /// <inheritdoc/>
    public IReadOnlyList<string> Labels => _scorer.Labels;

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => _scorer.GetOutputSchema(inputSchema);

    /// <inheritdoc/>
    public IDataView Transform(IDataView input) => _scorer.Transform(input);

    /// <inheritdoc/>
    public IEnumerable<(Tensor Input, Tensor Labels)> ReadBatches(IDataView data, int batchSize, string? labelColumnName) =>
        _scorer.ReadBatches(data, batchSize, labelColumnName);

    /// <inheritdoc/>
    public INetworkClassifier WithNetwork(Module<Tensor, Tensor> network) => _scorer.WithNetwork(network);

    private IOnnxExportable Exportable => _scorer as IOnnxExportable
        ?? throw new OnnxExport.OnnxExportException($"{ComponentName}: the float classifier {FloatModel.GetType().Name} does not export to ONNX.");

    /// <inheritdoc/>
    public IReadOnlyList<string> OnnxInputColumnNames => Exportable.OnnxInputColumnNames;

    /// <inheritdoc/>
    public IReadOnlyList<string> OnnxOutputColumnNames => Exportable.OnnxOutputColumnNames;

    /// <inheritdoc/>
    public Module OnnxNetwork => Exportable.OnnxNetwork;

    /// <inheritdoc/>
    public void Save(ModelSaveContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.SetComponent(ComponentName, 1);
        context.Options["observer"] = Options.Observer.ToString();
        context.Options["percentile"] = Options.Percentile;
        context.Options["dynamicLinear"] = Options.DynamicLinear;
        context.Options["calibrationExamples"] = Options.CalibrationExamples;
        context.Options["batchSize"] = Options.BatchSize;
        context.Options["minimumConvDepth"] = Options.MinimumConvDepth;
        context.Options["fuseMaxPool"] = Options.FuseMaxPool;
        context.Options["rangeCount"] = _ranges.Length;
        if (_ranges.Length > 0)
            context.AddTensor("ranges", Tensor.FromArray([.. _ranges.SelectMany(r => new[] { r.Min, r.Max })], _ranges.Length, 2));
        context.AddChild(FloatModel);
    }

    internal static QuantizedClassifierTransformer Load(ModelLoadContext c)
    {
        c.RequireVersion(1);
        if (c.Children.Count != 1 || c.Children[0] is not INetworkClassifier inner)
            throw c.Error("children", "a quantized classifier holds exactly one float classifier component.");
        if (!Enum.TryParse<QuantizationObserver>(c.GetString("observer"), ignoreCase: false, out var observer) || !Enum.IsDefined(observer))
            throw c.Error("observer", $"unknown observer '{c.GetString("observer")}'.");
        var options = new QuantizationOptions
        {
            Observer = observer,
            Percentile = c.GetDouble("percentile"),
            DynamicLinear = c.GetBool("dynamicLinear"),
            CalibrationExamples = c.GetInt("calibrationExamples"),
            BatchSize = c.GetInt("batchSize"),
            MinimumConvDepth = c.GetInt("minimumConvDepth"),
            // Files written before pool fusion existed rebuild the network they were calibrated for.
            FuseMaxPool = c.Has("fuseMaxPool") && c.GetBool("fuseMaxPool"),
        };
        try { options.Validate(); }
        catch (ArgumentOutOfRangeException e) { throw c.Error(e.ParamName ?? "options", e.Message, e); }
        int count = c.GetInt("rangeCount");
        if (count < 0) throw c.Error("rangeCount", "must not be negative.");
        var ranges = new ActivationRange[count];
        if (count > 0)
        {
            var values = c.GetTensor("ranges", DType.Float32, [count, 2]).ToFloatArray();
            for (int i = 0; i < count; i++)
            {
                if (!float.IsFinite(values[2 * i]) || !float.IsFinite(values[2 * i + 1]) || values[2 * i] > values[2 * i + 1])
                    throw c.Error("ranges", $"range {i} [{values[2 * i]}, {values[2 * i + 1]}] is not a finite interval.");
                ranges[i] = new ActivationRange(values[2 * i], values[2 * i + 1]);
            }
        }
        Module<Tensor, Tensor> network;
        try { network = options.CreateQuantizer().Apply(inner.Network, ranges); }
        catch (ArgumentException e) { throw c.Error("rangeCount", e.Message, e); }
        return new QuantizedClassifierTransformer(inner, options, ranges, network);
    }
}
