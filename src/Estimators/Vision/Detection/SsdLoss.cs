using MLNetDeep.Tensors;

namespace MLNetDeep.Estimators.Vision.Detection;

/// <summary>
/// The SSD multibox loss: smooth-L1 (β = 1) on the offsets of the positive priors plus cross-entropy on the
/// positives and the hardest negatives (the background priors with the highest cross-entropy, at most
/// <c>negativesPerPositive</c> per positive of the same image), both summed and divided by the number of positives.
/// </summary>
public static class SsdLoss
{
    /// <summary>Computes the loss of one batch.</summary>
    /// <param name="output">Network output <c>[batch, priors, 4 + classes + 1]</c>.</param>
    /// <param name="classTargets">Class per prior (0 = background), <c>batch·priors</c> values.</param>
    /// <param name="offsetTargets">Encoded offsets per prior, <c>batch·priors·4</c> values.</param>
    /// <param name="negativesPerPositive">Hard negatives kept per positive.</param>
    /// <returns>The scalar loss and the number of positive priors.</returns>
    public static (Tensor Loss, int Positives) Compute(Tensor output, int[] classTargets, float[] offsetTargets, int negativesPerPositive = 3)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(classTargets);
        ArgumentNullException.ThrowIfNull(offsetTargets);
        int batch = output.Size(0), priors = output.Size(1), values = output.Size(2), logitsCount = values - 4;
        if (classTargets.Length != batch * priors) throw new ArgumentException($"{classTargets.Length} class targets for {batch}×{priors} priors.", nameof(classTargets));
        if (offsetTargets.Length != 4 * batch * priors) throw new ArgumentException($"{offsetTargets.Length} offset targets for {batch}×{priors} priors.", nameof(offsetTargets));
        var logits = output.Slice(2, 4, values).Reshape(batch * priors, logitsCount);
        var targets = new long[classTargets.Length];
        for (int i = 0; i < targets.Length; i++) targets[i] = classTargets[i];
        var ce = F.CrossEntropy(logits, Tensor.FromArray(targets, batch * priors), reduction: Reduction.None);
        var ceValues = ce.Detach().ToArray<float>();
        var keep = new float[batch * priors];
        var positiveMask = new float[batch * priors * 4];
        int positives = 0;
        var negatives = new ulong[priors];
        for (int b = 0; b < batch; b++)
        {
            int pos = 0, count = 0;
            for (int p = b * priors; p < (b + 1) * priors; p++)
            {
                if (classTargets[p] > 0) { keep[p] = 1; positiveMask.AsSpan(4 * p, 4).Fill(1); pos++; }
                else negatives[count++] = HardnessKey(ceValues[p], p);
            }
            positives += pos;
            int take = Math.Min(count, negativesPerPositive * pos);
            if (take == 0) continue;
            Array.Sort(negatives, 0, count);
            for (int k = 0; k < take; k++) keep[(int)(uint)negatives[k]] = 1;
        }
        var classLoss = ce.Mul(Tensor.FromArray(keep, batch * priors)).Sum();
        var diff = output.Slice(2, 0, 4).Sub(Tensor.FromArray(offsetTargets, batch, priors, 4)).Abs();
        var inner = diff.Clamp(max: 1);
        var smoothL1 = inner.Square().Mul(0.5).Add(diff.Sub(inner));
        var locationLoss = smoothL1.Mul(Tensor.FromArray(positiveMask, batch, priors, 4)).Sum();
        return (classLoss.Add(locationLoss).Mul(1.0 / Math.Max(1, positives)), positives);
    }

    /// <summary>
    /// A sort key ordering negatives hardest first: higher cross-entropy first (NaN last, −0 = +0), ties by prior index.
    /// The cross-entropy's bits are mapped to an unsigned integer that grows with the value, complemented, and put above
    /// the index, so one ascending sort of plain integers gives the order.
    /// </summary>
    private static ulong HardnessKey(float crossEntropy, int prior)
    {
        uint ordered = 0; // NaN: below every number
        if (!float.IsNaN(crossEntropy))
        {
            uint bits = BitConverter.SingleToUInt32Bits(crossEntropy == 0 ? 0f : crossEntropy);
            ordered = (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
        }
        return ((ulong)~ordered << 32) | (uint)prior;
    }
}
