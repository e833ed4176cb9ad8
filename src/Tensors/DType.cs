namespace MLNetDeep.Tensors;

/// <summary>Element type of a tensor.</summary>
public enum DType
{
    /// <summary>32-bit IEEE float: the training type.</summary>
    Float32,
    /// <summary>64-bit IEEE float: used for gradient checks.</summary>
    Float64,
    /// <summary>64-bit signed integer: indices and labels.</summary>
    Int64,
}
