using MLNetDeep.Estimators.Compression;
using MLNetDeep.Tensors.Nn.Quantized;

namespace MLNetDeep;

/// <summary>Model compression on <c>ctx.Transforms</c>.</summary>
public static class CompressionCatalogExtensions
{
    /// <summary>
    /// Post-training int8 quantization of a fitted classifier (per-channel int8 weights, calibrated per-tensor activations;
    /// other defaults from <see cref="QuantizationOptions.Defaults"/>). Fit it on calibration data.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">The fitted float classifier.</param>
    /// <param name="calibrationExamples">Rows of the calibration data to use.</param>
    /// <param name="observer">How activation ranges are observed.</param>
    public static QuantizationEstimator Quantize(this TransformsCatalog catalog, INetworkClassifier model,
        int calibrationExamples = QuantizationOptions.Defaults.CalibrationExamples, QuantizationObserver observer = QuantizationOptions.Defaults.Observer) =>
        Quantize(catalog, model, new QuantizationOptions { CalibrationExamples = calibrationExamples, Observer = observer });

    /// <summary>Post-training int8 quantization with full options.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">The fitted float classifier.</param>
    /// <param name="options">Options.</param>
    public static QuantizationEstimator Quantize(this TransformsCatalog catalog, INetworkClassifier model, QuantizationOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new QuantizationEstimator(model, options);
    }
}
