using MLNetDeep.Tensors;

namespace MLNetDeep.Estimators.Vision.Detection;

/// <summary>Box-regression losses built from engine primitives, so their gradients come from autograd.</summary>
public static class DetectionLosses
{
    /// <summary>
    /// 1 − GIoU of each predicted box with its target box (both <c>[N, 4]</c> corner boxes x1, y1, x2, y2), as
    /// torchvision's <c>generalized_box_iou_loss</c>: IoU = I/(U + ε), GIoU = IoU − (C − U)/(C + ε) with C the enclosing
    /// box's area. The intersection's sides are clamped at 0 (no overlap, no gradient through it).
    /// </summary>
    /// <param name="predicted">[N, 4] predicted boxes (may require gradients).</param>
    /// <param name="target">[N, 4] target boxes.</param>
    /// <param name="reduction">None: [N]; Mean or Sum: a scalar.</param>
    /// <param name="eps">Guards the divisions.</param>
    public static Tensor GeneralizedIouLoss(Tensor predicted, Tensor target, Reduction reduction = Reduction.Mean, double eps = 1e-7)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(target);
        if (predicted.Rank != 2 || predicted.Size(1) != 4 || !predicted.Shape.SequenceEqual(target.Shape))
            throw new ArgumentException($"GeneralizedIouLoss needs two [N, 4] box tensors of one shape; got [{string.Join(", ", predicted.Shape.ToArray())}] and [{string.Join(", ", target.Shape.ToArray())}].");
        Tensor x1 = predicted.Select(1, 0), y1 = predicted.Select(1, 1), x2 = predicted.Select(1, 2), y2 = predicted.Select(1, 3);
        Tensor gx1 = target.Select(1, 0), gy1 = target.Select(1, 1), gx2 = target.Select(1, 2), gy2 = target.Select(1, 3);
        var iw = (Minimum(x2, gx2) - x1.Maximum(gx1)).Clamp(min: 0);
        var ih = (Minimum(y2, gy2) - y1.Maximum(gy1)).Clamp(min: 0);
        var intersection = iw * ih;
        var union = (x2 - x1) * (y2 - y1) + (gx2 - gx1) * (gy2 - gy1) - intersection;
        var iou = intersection / (union + eps);
        var enclosing = (x2.Maximum(gx2) - Minimum(x1, gx1)) * (y2.Maximum(gy2) - Minimum(y1, gy1));
        var loss = 1.0 - (iou - (enclosing - union) / (enclosing + eps));
        return reduction switch
        {
            Reduction.None => loss,
            Reduction.Sum => loss.Sum(),
            Reduction.Mean => loss.Mean(),
            _ => throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "GeneralizedIouLoss supports None, Mean and Sum."),
        };
    }

    private static Tensor Minimum(Tensor a, Tensor b) => -(-a).Maximum(-b);
}
