namespace MLNetDeep.Estimators.Compression;

/// <summary>One model's row of a comparison report (see <see cref="ModelComparison.Measure"/>).</summary>
/// <param name="Name">Display name (usually the model file name).</param>
/// <param name="Accuracy">Top-1 accuracy on the test data, in [0, 1].</param>
/// <param name="Parameters">Stored weight elements: the network's state dict without batch-norm running statistics.</param>
/// <param name="NonZeroParameters">Of those, the elements that are not exactly zero.</param>
/// <param name="ModelFileBytes">Size of the model .zip, or null when the model was not read from a file.</param>
/// <param name="OnnxFileBytes">Size of the network exported to ONNX, or null when it cannot be exported.</param>
/// <param name="BatchSize">Rows per timed forward pass.</param>
/// <param name="MillisecondsPerBatch">Median wall time of one forward pass over <paramref name="BatchSize"/> rows in our engine.</param>
public sealed record ModelMeasurement(string Name, double Accuracy, long Parameters, long NonZeroParameters, long? ModelFileBytes,
    long? OnnxFileBytes, int BatchSize, double MillisecondsPerBatch)
{
    /// <summary>Milliseconds per example at <see cref="BatchSize"/>.</summary>
    public double MillisecondsPerExample => MillisecondsPerBatch / BatchSize;

    /// <summary>Zero elements over stored elements.</summary>
    public double Sparsity => Parameters == 0 ? 0 : 1 - (double)NonZeroParameters / Parameters;
}
