using MLNetDeep.Tensors;

namespace MLNetDeep.Estimators.Sequence;

/// <summary>
/// A batch of key-id sequences, right-padded with key 0. A row's length is the position of its last
/// non-zero key plus one (at least 1): key 0 inside a row (an unknown token) reads as a zero embedding,
/// trailing zeros are padding. The ONNX graph derives the same lengths from its int64 input.
/// </summary>
/// <param name="Ids">[B, T] int64 key ids.</param>
/// <param name="Lengths">Valid steps per row.</param>
/// <param name="Mask">[B, T] float: 1 at valid steps.</param>
/// <param name="LastStep">[B, T] float: 1 at each row's last valid step.</param>
/// <param name="FirstStep">[B, T] float: 1 at step 0.</param>
public sealed record SequenceBatch(Tensor Ids, int[] Lengths, Tensor Mask, Tensor LastStep, Tensor FirstStep)
{
    /// <summary>Rows in the batch.</summary>
    public int Size => Lengths.Length;

    /// <summary>Builds a batch; an empty row is an <see cref="ArgumentException"/> naming <paramref name="columnName"/>.</summary>
    /// <param name="rows">Key ids per row (1-based keys, 0 = unknown).</param>
    /// <param name="columnName">The column the rows come from (for error messages).</param>
    public static SequenceBatch FromKeys(IReadOnlyList<uint[]> rows, string columnName = "Tokens")
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0) throw new ArgumentException("A batch needs at least one row.", nameof(rows));
        int b = rows.Count, t = 1;
        foreach (var r in rows)
        {
            if (r is null || r.Length == 0)
                throw new ArgumentException($"Column '{columnName}': a token list is empty; sequence models need at least one token per row.", nameof(rows));
            t = Math.Max(t, r.Length);
        }
        var ids = new long[b * t];
        var lengths = new int[b];
        var mask = new float[b * t];
        var last = new float[b * t];
        var first = new float[b * t];
        for (int i = 0; i < b; i++)
        {
            var r = rows[i];
            int len = 1;
            for (int j = 0; j < r.Length; j++)
            {
                ids[i * t + j] = r[j];
                if (r[j] != 0) len = j + 1;
            }
            lengths[i] = len;
            for (int j = 0; j < len; j++) mask[i * t + j] = 1;
            last[i * t + len - 1] = 1;
            first[i * t] = 1;
        }
        return new SequenceBatch(Tensor.FromArray(ids, b, t), lengths, Tensor.FromArray(mask, b, t), Tensor.FromArray(last, b, t), Tensor.FromArray(first, b, t));
    }
}
