namespace MLNetDeep.Tensors.Nn.Quantized;

/// <summary>How calibration turns observed activations into a quantization range.</summary>
public enum QuantizationObserver
{
    /// <summary>The smallest and largest value seen over all calibration batches.</summary>
    MinMax,

    /// <summary>The mean over batches of each batch's lower and upper percentile (clips rare outliers).</summary>
    Percentile,
}
