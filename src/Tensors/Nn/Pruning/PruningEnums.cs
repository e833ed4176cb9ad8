namespace MLNetDeep.Tensors.Nn.Pruning;

/// <summary>What magnitude pruning removes.</summary>
public enum PruningMethod
{
    /// <summary>Individual weights with the smallest absolute values (unstructured sparsity).</summary>
    Unstructured,

    /// <summary>Whole output channels (Conv2d filters, Linear output rows) with the smallest L1 or L2 norm, and their bias entries.</summary>
    Structured,
}

/// <summary>How an unstructured sparsity target is shared among layers.</summary>
public enum PruningScope
{
    /// <summary>One magnitude threshold over all prunable weights: layers end with different sparsities, the total hits the target.</summary>
    Global,

    /// <summary>Every prunable weight tensor is pruned to the target on its own.</summary>
    PerLayer,
}
