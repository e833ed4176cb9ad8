namespace MLNetDeep.Estimators.Word2Vec;

/// <summary>How the token vectors of a row are pooled into one sentence vector.</summary>
public enum Word2VecPooling
{
    /// <summary>The mean (dimension = vector size).</summary>
    Mean,

    /// <summary>Element-wise minimum, mean and maximum concatenated (dimension = 3 × vector size), as ML.NET's ApplyWordEmbedding.</summary>
    MinMeanMax,
}
