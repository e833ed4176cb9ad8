namespace MLNetDeep.Estimators.Word2Vec;

/// <summary>What the transformer and the ONNX graph do with a token that is not in the vocabulary.</summary>
public enum UnknownWordPolicy
{
    /// <summary>Skip it: no token vector, not counted in the pooled vector (ML.NET's ApplyWordEmbedding behaviour).</summary>
    Ignore,

    /// <summary>Give it a zero vector, counted in the pooled vector.</summary>
    ZeroVector,

    /// <summary>Throw a <see cref="KeyNotFoundException"/> naming the token and the column.</summary>
    Error,
}
