using MLNetDeep.Tensors.Nn;

namespace MLNetDeep;

/// <summary>
/// Hook for ONNX export: a transformer whose computation is an engine network implements this, so that
/// the ONNX export (which adds <c>ExportOnnx</c> to the partial <see cref="ModelOperationsCatalog"/>)
/// can walk a chain, find the network and bind its graph inputs/outputs to columns. Pure data-preparation
/// transforms (tokenizers, vocabularies) do not implement it; the exporter decides how to treat them.
/// </summary>
public interface IOnnxExportable
{
    /// <summary>Columns the network reads, in the order of its inputs.</summary>
    IReadOnlyList<string> OnnxInputColumnNames { get; }

    /// <summary>Columns the transformer produces from the network's outputs.</summary>
    IReadOnlyList<string> OnnxOutputColumnNames { get; }

    /// <summary>The trained network (parameters are read, never modified).</summary>
    Module OnnxNetwork { get; }
}
