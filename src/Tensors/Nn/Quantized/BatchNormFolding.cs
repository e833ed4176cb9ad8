namespace MLNetDeep.Tensors.Nn.Quantized;

/// <summary>
/// Folds an evaluation-mode batch normalization into the convolution before it: with k = γ / √(running_var + ε),
/// W'[o] = k[o]·W[o] and b'[o] = k[o]·(b[o] − running_mean[o]) + β[o], so conv'(x) = bn(conv(x)) at inference.
/// </summary>
public static class BatchNormFolding
{
    /// <summary>Whether <paramref name="bn"/> can be folded into <paramref name="conv"/> (running statistics present, channels match).</summary>
    public static bool CanFold(Conv2d conv, BatchNormBase bn) =>
        bn is BatchNorm2d && bn.RunningMean is not null && bn.RunningVar is not null && bn.NumFeatures == conv.OutChannels;

    /// <summary>A new convolution computing bn(conv(x)) in evaluation mode; the inputs are not changed.</summary>
    /// <exception cref="ArgumentException">The pair cannot be folded (see <see cref="CanFold"/>).</exception>
    public static Conv2d Fold(Conv2d conv, BatchNormBase bn)
    {
        ArgumentNullException.ThrowIfNull(conv);
        ArgumentNullException.ThrowIfNull(bn);
        if (!CanFold(conv, bn)) throw new ArgumentException($"Cannot fold {bn.GetType().Name}({bn.NumFeatures}) without running statistics into a convolution with {conv.OutChannels} outputs.", nameof(bn));
        int o = conv.OutChannels, per = conv.Weight.Numel / o;
        float[] w = conv.Weight.Contiguous().ToFloatArray();
        float[] b = conv.Bias?.ToFloatArray() ?? new float[o];
        float[] mean = bn.RunningMean!.ToFloatArray(), variance = bn.RunningVar!.ToFloatArray();
        float[]? gamma = bn.Weight?.ToFloatArray(), beta = bn.Bias?.ToFloatArray();
        for (int c = 0; c < o; c++)
        {
            double k = (gamma?[c] ?? 1.0) / Math.Sqrt(variance[c] + bn.Eps);
            for (int i = 0; i < per; i++) w[c * per + i] = (float)(w[c * per + i] * k);
            b[c] = (float)((b[c] - mean[c]) * k + (beta?[c] ?? 0.0));
        }
        var folded = new Conv2d(conv.InChannels, o, conv.KernelSize, conv.Stride, conv.Padding, conv.Dilation, conv.Groups, bias: true);
        using (Tensor.NoGrad())
        {
            w.CopyTo(folded.Weight.Data<float>());
            b.CopyTo(folded.Bias!.Data<float>());
        }
        folded.Eval();
        return folded;
    }
}
