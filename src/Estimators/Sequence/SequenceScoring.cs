using MLNetDeep.Tensors;

namespace MLNetDeep.Estimators.Sequence;

/// <summary>Batched inference of a <see cref="SequenceNetwork"/> on key-id rows.</summary>
internal static class SequenceScoring
{
    public static float[][] Score(SequenceNetwork net, IReadOnlyList<uint[]> rows, string column)
    {
        if (rows.Count == 0) return [];
        float[] probs;
        using (Tensor.NoGrad()) probs = F.Softmax(net.Forward(SequenceBatch.FromKeys(rows, column)), 1).ToArray<float>();
        int c = net.Outputs;
        var result = new float[rows.Count][];
        for (int r = 0; r < rows.Count; r++) result[r] = probs.AsSpan(r * c, c).ToArray();
        return result;
    }
}
