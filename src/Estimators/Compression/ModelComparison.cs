using System.Diagnostics;
using MLNetDeep.Data;
using MLNetDeep.OnnxExport;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn.Pruning;

namespace MLNetDeep.Estimators.Compression;

/// <summary>
/// Measures fitted classifiers side by side through <see cref="INetworkClassifier"/> only, so any model zip whose
/// component implements it (float, pruned, quantized) can be compared: accuracy on labelled data, stored and non-zero
/// weights, model and ONNX file sizes, and forward latency in our engine. <see cref="ComparisonReport"/> renders the rows.
/// </summary>
public static class ModelComparison
{
    /// <summary>Top-1 accuracy of <paramref name="model"/>'s network on <paramref name="data"/> (rows without a label are skipped).</summary>
    /// <param name="model">The classifier.</param>
    /// <param name="data">Labelled data with the classifier's input columns.</param>
    /// <param name="labelColumnName">The label column.</param>
    /// <param name="batchSize">Rows per forward pass.</param>
    /// <exception cref="SchemaMismatchException">The label column is missing.</exception>
    public static double Accuracy(INetworkClassifier model, IDataView data, string labelColumnName = "Label", int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Schema.GetColumnOrNull(labelColumnName) is null)
            throw new SchemaMismatchException(labelColumnName, $"Accuracy: label column '{labelColumnName}' not found; the data has {data.Schema.Describe()}.");
        using var _ = Tensor.NoGrad();
        model.Network.Eval();
        long correct = 0, total = 0;
        foreach (var (input, labels) in model.ReadBatches(data, batchSize, labelColumnName))
        {
            var predicted = model.Network.Forward(input).Argmax(1).ToArray<long>();
            var truth = labels.ToArray<long>();
            for (int i = 0; i < truth.Length; i++)
            {
                if (truth[i] < 0) continue;
                total++;
                if (predicted[i] == truth[i]) correct++;
            }
        }
        if (total == 0) throw new InvalidOperationException($"Accuracy: no row of the data has a label in '{labelColumnName}'.");
        return (double)correct / total;
    }

    /// <summary>Measures one model (see <see cref="ModelMeasurement"/> for the columns).</summary>
    /// <param name="name">Display name.</param>
    /// <param name="model">The classifier.</param>
    /// <param name="data">Labelled test data with the classifier's input columns.</param>
    /// <param name="labelColumnName">The label column.</param>
    /// <param name="modelPath">The model file, for its size; null when not from a file.</param>
    /// <param name="batchSize">Rows per timed forward pass.</param>
    /// <param name="repetitions">Timed passes (after two warm-up passes); the median is reported.</param>
    public static ModelMeasurement Measure(string name, INetworkClassifier model, IDataView data, string labelColumnName = "Label",
        string? modelPath = null, int batchSize = 64, int repetitions = 20)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(repetitions);
        double accuracy = Accuracy(model, data, labelColumnName);
        long parameters = 0, nonZero = 0;
        foreach (var (key, tensor) in model.Network.StateDict())
        {
            if (key.EndsWith("running_mean", StringComparison.Ordinal) || key.EndsWith("running_var", StringComparison.Ordinal)
                || key.EndsWith("num_batches_tracked", StringComparison.Ordinal)) continue;
            parameters += tensor.Numel;
            nonZero += tensor.Numel - SparsityReport.CountZeros(tensor);
        }
        long? fileBytes = modelPath is null ? null : new FileInfo(modelPath).Length;
        var (batch, ms) = Latency(model, data, batchSize, repetitions);
        return new ModelMeasurement(name, accuracy, parameters, nonZero, fileBytes, OnnxBytes(model), batch, ms);
    }

    /// <summary>Size of the network exported to ONNX with a dynamic batch axis, or null when some layer has no exporter.</summary>
    public static long? OnnxBytes(INetworkClassifier model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var shape = new OnnxDim[model.InputShape.Count + 1];
        shape[0] = OnnxDim.Dynamic("batch", 2);
        for (int i = 0; i < model.InputShape.Count; i++) shape[i + 1] = model.InputShape[i];
        try
        {
            using var stream = new MemoryStream();
            OnnxExporter.Export(model.Network, stream, [OnnxTensorSpec.Float("input", shape)]);
            return stream.Length;
        }
        catch (Exception e) when (e is OnnxExportException or NotSupportedException or InvalidOperationException)
        {
            return null;
        }
    }

    private static (int Batch, double Milliseconds) Latency(INetworkClassifier model, IDataView data, int batchSize, int repetitions)
    {
        var input = model.ReadBatches(data, batchSize, null).First().Input;
        using var _ = Tensor.NoGrad();
        model.Network.Eval();
        for (int i = 0; i < 2; i++) model.Network.Forward(input);
        var times = new double[repetitions];
        for (int i = 0; i < repetitions; i++)
        {
            long start = Stopwatch.GetTimestamp();
            model.Network.Forward(input);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(times);
        return (input.Shape[0], times[repetitions / 2]);
    }
}
