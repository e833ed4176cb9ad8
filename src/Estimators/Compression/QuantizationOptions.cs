using MLNetDeep.Tensors.Nn.Quantized;

namespace MLNetDeep.Estimators.Compression;

/// <summary>Options of <see cref="QuantizationEstimator"/> (post-training int8 quantization of a classifier).</summary>
public sealed class QuantizationOptions
{
    /// <summary>Default values of the simple catalog overload.</summary>
    public static class Defaults
    {
        /// <summary>Calibration examples read from the data.</summary>
        public const int CalibrationExamples = 1024;

        /// <summary>Rows per calibration batch.</summary>
        public const int BatchSize = 128;

        /// <summary>Range observer.</summary>
        public const QuantizationObserver Observer = QuantizationObserver.MinMax;
    }

    /// <summary>At most this many rows of the calibration data are run through the network (≥ 1).</summary>
    public int CalibrationExamples { get; set; } = Defaults.CalibrationExamples;

    /// <summary>Rows per calibration batch (≥ 1).</summary>
    public int BatchSize { get; set; } = Defaults.BatchSize;

    /// <summary>How activation ranges are taken from the calibration batches.</summary>
    public QuantizationObserver Observer { get; set; } = Defaults.Observer;

    /// <summary>Upper percentile for <see cref="QuantizationObserver.Percentile"/>, in (50, 100].</summary>
    public double Percentile { get; set; } = 99.99;

    /// <summary>Quantize Linear layers dynamically (per-batch input range) instead of with calibrated ranges.</summary>
    public bool DynamicLinear { get; set; }

    /// <summary>Convolutions with in_channels·KH·KW below this stay float32 (see <see cref="PostTrainingQuantizer.MinimumConvDepth"/>).</summary>
    public int MinimumConvDepth { get; set; } = PostTrainingQuantizer.DefaultMinimumConvDepth;

    /// <summary>Fuse a 2×2 max pool into the quantized convolution before it (see <see cref="PostTrainingQuantizer.FuseMaxPool"/>).</summary>
    public bool FuseMaxPool { get; set; } = true;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(CalibrationExamples, 1, nameof(CalibrationExamples));
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        if (!Enum.IsDefined(Observer)) throw new ArgumentOutOfRangeException(nameof(Observer), Observer, "Unknown observer.");
        ArgumentOutOfRangeException.ThrowIfNegative(MinimumConvDepth, nameof(MinimumConvDepth));
        if (!(Percentile > 50 && Percentile <= 100)) throw new ArgumentOutOfRangeException(nameof(Percentile), Percentile, "The percentile must be in (50, 100].");
    }

    /// <summary>The engine quantizer these options describe.</summary>
    public PostTrainingQuantizer CreateQuantizer() => new(Observer, Percentile, DynamicLinear, MinimumConvDepth, FuseMaxPool);
}
