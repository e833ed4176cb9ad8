namespace MLNetDeep.Tensors;

/// <summary>How a loss reduces its per-element values.</summary>
public enum Reduction
{
    /// <summary>No reduction: one value per element/sample.</summary>
    None,
    /// <summary>Mean (for cross-entropy with weights: weighted mean).</summary>
    Mean,
    /// <summary>Sum.</summary>
    Sum,
    /// <summary>Sum divided by the batch size (the mathematically correct KL divergence mean).</summary>
    BatchMean,
}

public static partial class F
{
    private static Tensor Reduce(Tensor perElement, Reduction reduction, string loss) => reduction switch
    {
        Reduction.None => perElement,
        Reduction.Sum => perElement.Sum(),
        Reduction.Mean => perElement.Mean(),
        Reduction.BatchMean => perElement.Sum().Div(perElement.Rank == 0 ? 1 : perElement.Size(0)),
        _ => throw new ArgumentOutOfRangeException(nameof(reduction), reduction, $"Unknown reduction for {loss}."),
    };

    private static void RequireSameShape(Tensor a, Tensor b, string loss)
    {
        if (!a.Shape.SequenceEqual(b.Shape))
            throw new ArgumentException($"{loss}: input {ShapeUtil.Format(a.Shape)} and target {ShapeUtil.Format(b.Shape)} must have the same shape.");
    }

    /// <summary>Mean squared error.</summary>
    public static Tensor MseLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
    {
        RequireSameShape(input, target, nameof(MseLoss));
        return Reduce(input.Sub(target).Square(), reduction, nameof(MseLoss));
    }

    /// <summary>
    /// Cross-entropy between logits <paramref name="input"/> ([N, C] or [N, C, d…]) and class indices
    /// <paramref name="target"/> (int64, [N] or [N, d…]), as PyTorch's <c>cross_entropy</c>: optional class
    /// <paramref name="weight"/>, targets equal to <paramref name="ignoreIndex"/> contribute nothing, and
    /// <paramref name="labelSmoothing"/> mixes in the uniform distribution.
    /// </summary>
    public static Tensor CrossEntropy(Tensor input, Tensor target, Tensor? weight = null, long ignoreIndex = -100,
        double labelSmoothing = 0, Reduction reduction = Reduction.Mean)
    {
        if (target.DType != DType.Int64) throw new ArgumentException($"CrossEntropy target must hold Int64 class indices, got {target.DType}.");
        if (input.Rank < 2) throw new ArgumentException($"CrossEntropy input must be [N, C, ...], got {ShapeUtil.Format(input.Shape)}.");
        if (labelSmoothing < 0 || labelSmoothing > 1) throw new ArgumentOutOfRangeException(nameof(labelSmoothing));
        int c = input.Size(1);
        // [N, C, d1, …] → [N, d1, …, C] → [M, C], keeping the target's (n, d1, …) order.
        var toLast = Enumerable.Range(0, input.Rank).Where(i => i != 1).Append(1).ToArray();
        var logits = input.Rank == 2 ? input : input.Permute(toLast).Reshape(-1, c);
        var t = target.Reshape(-1).Contiguous();
        if (t.Numel != logits.Size(0))
            throw new ArgumentException($"CrossEntropy: target {ShapeUtil.Format(target.Shape)} does not match input {ShapeUtil.Format(input.Shape)}.");
        var (safeT, valid) = SplitTargets(t, ignoreIndex, c, input.DType, nameof(CrossEntropy));
        var logp = LogSoftmax(logits, 1);
        var picked = logp.Gather(1, safeT.Unsqueeze(1)).Squeeze(1);
        var w = weight?.Detach();
        var targetWeight = w is null ? valid : w.IndexSelect(0, safeT).Mul(valid);
        var loss = picked.Neg().Mul(targetWeight);
        if (labelSmoothing > 0)
        {
            var weighted = w is null ? logp : logp.Mul(w);
            var smooth = weighted.Sum(1).Neg().Mul(valid).Div(c);
            loss = loss.Mul(1 - labelSmoothing).Add(smooth.Mul(labelSmoothing));
        }
        return reduction switch
        {
            Reduction.None => loss.Reshape(target.Shape.ToArray()),
            Reduction.Sum => loss.Sum(),
            Reduction.Mean => loss.Sum().Div(targetWeight.Sum()),
            _ => throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "CrossEntropy supports None, Mean and Sum."),
        };
    }

    /// <summary>Negative log-likelihood of log-probabilities [N, C] at int64 targets [N] (mean over non-ignored targets).</summary>
    public static Tensor NllLoss(Tensor logProbs, Tensor target, long ignoreIndex = -100, Reduction reduction = Reduction.Mean)
    {
        var (safeT, valid) = SplitTargets(target.Reshape(-1).Contiguous(), ignoreIndex, logProbs.Size(1), logProbs.DType, nameof(NllLoss));
        var loss = logProbs.Gather(1, safeT.Unsqueeze(1)).Squeeze(1).Neg().Mul(valid);
        return reduction == Reduction.Mean ? loss.Sum().Div(valid.Sum()) : Reduce(loss, reduction, nameof(NllLoss));
    }

    /// <summary>
    /// Class-index targets as (indices safe to gather, with ignored ones replaced by 0; a 0/1 mask of the
    /// targets that count). Indices outside [0, classes) other than <paramref name="ignoreIndex"/> are an error.
    /// </summary>
    private static (Tensor Safe, Tensor Valid) SplitTargets(Tensor flatTarget, long ignoreIndex, int classes, DType dtype, string loss)
    {
        var tv = flatTarget.Span<long>();
        var safe = new long[tv.Length];
        var valid = Tensor.Zeros([tv.Length], dtype);
        for (int i = 0; i < tv.Length; i++)
        {
            if (tv[i] == ignoreIndex) continue;
            if (tv[i] < 0 || tv[i] >= classes) throw new ArgumentOutOfRangeException("target", $"{loss} target {tv[i]} is outside [0, {classes}).");
            safe[i] = tv[i];
            valid.SetFlat(i, 1);
        }
        return (Tensor.FromArray(safe, safe.Length), valid);
    }

    /// <summary>Binary cross-entropy of probabilities (logs clamped at −100, as in PyTorch).</summary>
    public static Tensor BinaryCrossEntropy(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean)
    {
        RequireSameShape(input, target, nameof(BinaryCrossEntropy));
        var logP = input.Log().Clamp(min: -100);
        var log1mP = input.Neg().Add(1).Log().Clamp(min: -100);
        var loss = target.Mul(logP).Add(target.Neg().Add(1).Mul(log1mP)).Neg();
        if (weight is not null) loss = loss.Mul(weight);
        return Reduce(loss, reduction, nameof(BinaryCrossEntropy));
    }

    /// <summary>Binary cross-entropy on logits, computed stably: max(x,0) − x·t + log(1 + e^−|x|).</summary>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean)
    {
        RequireSameShape(input, target, nameof(BinaryCrossEntropyWithLogits));
        var loss = input.Relu().Sub(input.Mul(target)).Add(input.Abs().Neg().Exp().Add(1).Log());
        if (weight is not null) loss = loss.Mul(weight);
        return Reduce(loss, reduction, nameof(BinaryCrossEntropyWithLogits));
    }

    /// <summary>
    /// KL divergence with PyTorch's argument order: <paramref name="input"/> holds log-probabilities,
    /// <paramref name="target"/> probabilities (or log-probabilities when <paramref name="logTarget"/>).
    /// Zero-probability targets contribute 0. Use <see cref="Reduction.BatchMean"/> for the true KL mean.
    /// </summary>
    public static Tensor KlDiv(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, bool logTarget = false)
    {
        RequireSameShape(input, target, nameof(KlDiv));
        Tensor loss;
        if (logTarget) loss = target.Exp().Mul(target.Sub(input));
        else
        {
            var isZero = target.Detach().Eq(0).To(target.DType);
            var logT = target.Add(isZero).Log(); // log(1) = 0 where target == 0
            loss = target.Mul(logT.Sub(input));
        }
        return Reduce(loss, reduction, nameof(KlDiv));
    }
}
