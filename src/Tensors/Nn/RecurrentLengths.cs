namespace MLNetDeep.Tensors.Nn;

/// <summary>Validation of the per-sequence lengths (or padding mask) of a variable-length batch.</summary>
internal static class RecurrentLengths
{
    /// <summary>A [B] int64 tensor of lengths as an array.</summary>
    public static int[]? FromTensor(Tensor? lengths, string name)
    {
        if (lengths is null) return null;
        if (lengths.DType != DType.Int64 || lengths.Rank != 1)
            throw new ArgumentException($"{name} must be a 1-D int64 tensor, got {lengths.DType} {ShapeUtil.Format(lengths.Shape)}.", name);
        return Array.ConvertAll(lengths.ToArray<long>(), v => v is < int.MinValue or > int.MaxValue ? -1 : (int)v);
    }

    /// <summary>
    /// The lengths to run with (null: every sequence is full). A mask is [B, T] with batchFirst, else [T, B];
    /// nonzero marks a valid step and each sequence's valid steps must be a prefix.
    /// </summary>
    public static int[]? Resolve(int[]? lengths, Tensor? mask, int steps, int batch, bool batchFirst)
    {
        if (lengths != null)
        {
            if (lengths.Length != batch)
                throw new ArgumentException($"lengths has {lengths.Length} entries but the batch has {batch} sequences.", nameof(lengths));
            for (int b = 0; b < batch; b++)
                if (lengths[b] < 0 || lengths[b] > steps)
                    throw new ArgumentOutOfRangeException(nameof(lengths), lengths[b], $"lengths[{b}] = {lengths[b]} is outside [0, {steps}].");
        }
        if (mask is null) return lengths;
        int[] expect = batchFirst ? [batch, steps] : [steps, batch];
        if (mask.Rank != 2 || mask.Size(0) != expect[0] || mask.Size(1) != expect[1])
            throw new ArgumentException($"mask must have shape {ShapeUtil.Format(expect)}, got {ShapeUtil.Format(mask.Shape)}.", nameof(mask));
        var m = mask.ToDoubleArray();
        var fromMask = new int[batch];
        for (int b = 0; b < batch; b++)
        {
            int len = 0;
            bool ended = false;
            for (int t = 0; t < steps; t++)
            {
                bool valid = m[batchFirst ? b * steps + t : t * batch + b] != 0;
                if (valid && ended) throw new ArgumentException($"mask row {b} is not a prefix of valid steps (valid again at step {t}).", nameof(mask));
                if (valid) len++;
                else ended = true;
            }
            fromMask[b] = len;
        }
        if (lengths != null && !lengths.SequenceEqual(fromMask))
            throw new ArgumentException("lengths and mask disagree.", nameof(mask));
        return fromMask;
    }
}
