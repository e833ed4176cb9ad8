namespace MLNetDeep.Tensors.Nn;

/// <summary>Batch normalization over [N, C, H, W] inputs (torch.nn.BatchNorm2d); see <see cref="BatchNormBase"/>.</summary>
/// <param name="numFeatures">Channels C.</param>
/// <param name="eps">Variance epsilon.</param>
/// <param name="momentum">Running-statistics momentum (null: cumulative average).</param>
/// <param name="affine">Learn γ and β.</param>
/// <param name="trackRunningStats">Keep running statistics.</param>
/// <param name="dtype">Parameter and buffer dtype.</param>
public sealed class BatchNorm2d(int numFeatures, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool trackRunningStats = true, DType dtype = DType.Float32)
    : BatchNormBase(numFeatures, eps, momentum, affine, trackRunningStats, dtype)
{
    /// <inheritdoc/>
    protected override void CheckInputRank(Tensor input)
    {
        if (input.Rank != 4) throw new ArgumentException($"BatchNorm2d expects a 4-D input, got {ShapeUtil.Format(input.Shape.ToArray())}.", nameof(input));
    }
}
