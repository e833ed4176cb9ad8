using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;

namespace MLNetDeep.Estimators.Word2Vec;

/// <summary>
/// The fitted featurizer as an engine module, for ONNX export (see <see cref="Word2VecOnnxExporter"/>):
/// ids int64 [batch, sequence] → token vectors [batch, sequence, size] and the pooled vector [batch, pooled].
/// The table has a zero row 0 (padding and ignored unknown words, left out of the pooling) and a zero row
/// Count + 1 (unknown words under <see cref="UnknownWordPolicy.ZeroVector"/>, pooled as zeros).
/// </summary>
public sealed class Word2VecLookup : Module
{
    /// <summary>Builds the module from a fitted transformer.</summary>
    public Word2VecLookup(Word2VecTransformer transformer)
    {
        ArgumentNullException.ThrowIfNull(transformer);
        var model = transformer.Model;
        int dim = model.VectorSize;
        var table = new float[(model.Count + 2) * dim];
        model.Vectors.CopyTo(table.AsSpan(dim));
        Table = RegisterBuffer("table", Tensor.FromArray(table, model.Count + 2, dim));
        Pooling = transformer.Pooling;
        VectorSize = dim;
    }

    /// <summary>The lookup table [Count + 2, VectorSize].</summary>
    public Tensor Table { get; }

    /// <summary>Pooling of the sentence vector.</summary>
    public Word2VecPooling Pooling { get; }

    /// <summary>Vector width.</summary>
    public int VectorSize { get; }

    /// <summary>Width of the pooled output.</summary>
    public int PooledSize => Pooling == Word2VecPooling.MinMeanMax ? 3 * VectorSize : VectorSize;
}
