namespace MLNetDeep.Onnx;

/// <summary>
/// Limits enforced while loading an ONNX model. Every limit is checked against the sizes the file
/// declares before memory is allocated for the object they describe.
/// </summary>
public sealed class OnnxLoadOptions
{
    /// <summary>Defaults: 1 GiB file, 256 Mi elements / 1 GiB per tensor, rank 8, 100,000 nodes, 1 GiB of initializers.</summary>
    public static OnnxLoadOptions Default => new();

    /// <summary>Largest accepted file (or stream) in bytes.</summary>
    public long MaxFileBytes { get; set; } = 1L << 30;

    /// <summary>Most elements one tensor (initializer, constant, attribute) may declare.</summary>
    public long MaxTensorElements { get; set; } = 1L << 28;

    /// <summary>Most bytes one tensor may declare (elements × element size).</summary>
    public long MaxTensorBytes { get; set; } = 1L << 30;

    /// <summary>Largest rank of a tensor or of a shape a tensor may be given while running.</summary>
    public int MaxRank { get; set; } = 8;

    /// <summary>Most nodes in the graph.</summary>
    public int MaxNodes { get; set; } = 100_000;

    /// <summary>Most bytes of all initializers and constant tensors together.</summary>
    public long MaxTotalInitializerBytes { get; set; } = 1L << 30;

    /// <summary>Most elements a tensor produced while running may have (guards against shape inputs that explode).</summary>
    public long MaxRuntimeTensorElements { get; set; } = 1L << 28;

    internal void Validate()
    {
        if (MaxFileBytes <= 0 || MaxTensorElements <= 0 || MaxTensorBytes <= 0 || MaxRank <= 0 || MaxNodes <= 0
            || MaxTotalInitializerBytes <= 0 || MaxRuntimeTensorElements <= 0)
            throw new ArgumentException("Every OnnxLoadOptions limit must be positive.");
        if (MaxTensorElements > int.MaxValue || MaxRuntimeTensorElements > int.MaxValue)
            throw new ArgumentException($"Tensor element limits cannot exceed {int.MaxValue} (engine tensors are int-indexed).");
    }
}
