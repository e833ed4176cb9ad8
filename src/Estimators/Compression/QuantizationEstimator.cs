using MLNetDeep.Data;
using MLNetDeep.Tensors;

namespace MLNetDeep.Estimators.Compression;

/// <summary>
/// Post-training int8 quantization of a fitted classifier: <see cref="Fit"/> reads up to
/// <see cref="QuantizationOptions.CalibrationExamples"/> rows of the calibration data with the classifier's own
/// preprocessing, calibrates the activation ranges of its Conv/Linear layers (BatchNorm folded) and returns a
/// <see cref="QuantizedClassifierTransformer"/> that scores with the int8 network.
/// </summary>
public sealed class QuantizationEstimator : IEstimator<QuantizedClassifierTransformer>
{
    private readonly INetworkClassifier _model;
    private readonly QuantizationOptions _options;

    /// <summary>Creates the estimator.</summary>
    /// <param name="model">The fitted float classifier (not modified).</param>
    /// <param name="options">Calibration options (validated here).</param>
    public QuantizationEstimator(INetworkClassifier model, QuantizationOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        (_model, _options) = (model, options);
    }

    /// <summary>Calibrates on <paramref name="input"/> and quantizes.</summary>
    /// <exception cref="InvalidOperationException">The data has no rows, or the network has no layer that can be quantized.</exception>
    public QuantizedClassifierTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var quantizer = _options.CreateQuantizer();
        var result = quantizer.Quantize(_model.Network, CalibrationBatches(input));
        if (result.QuantizedLayers == 0)
            throw new InvalidOperationException("Quantize: the network has no Conv2d/Linear layer inside Sequential chains that can be quantized.");
        return new QuantizedClassifierTransformer(_model, _options, result.Ranges, result.Network);
    }

    /// <summary>The float classifier's output schema (quantization changes no column).</summary>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => _model.GetOutputSchema(inputSchema);

    private IEnumerable<Tensor> CalibrationBatches(IDataView input)
    {
        int left = _options.CalibrationExamples;
        foreach (var (x, _) in _model.ReadBatches(input, Math.Min(_options.BatchSize, left), null))
        {
            if (left <= 0) yield break;
            var batch = x.Size(0) <= left ? x : x.Narrow(0, 0, left);
            left -= batch.Size(0);
            yield return batch;
        }
        if (left == _options.CalibrationExamples) throw new InvalidOperationException("Quantize: the calibration data has no rows.");
    }
}
