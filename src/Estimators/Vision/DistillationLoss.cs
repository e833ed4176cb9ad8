using MLNetDeep.Tensors;

namespace MLNetDeep.Estimators.Vision;

/// <summary>
/// The distillation loss of Hinton et al. 2015: with p = softmax(teacher / T) and q = softmax(student / T),
/// soft = T² · (1/n) Σ_rows Σ_k p_k (log p_k − log q_k) (the KL divergence, whose gradient with respect to the
/// student logits is T·(q − p)/n, so the T² keeps its scale independent of T), and
/// loss = alpha · soft + (1 − alpha) · cross-entropy(student, labels).
/// </summary>
public static class DistillationLoss
{
    /// <summary>The T²-scaled soft-target loss (batch mean of the KL divergence); no gradient flows into the teacher.</summary>
    /// <param name="studentLogits">[n, classes].</param>
    /// <param name="teacherLogits">[n, classes] (log-probabilities work too: softmax ignores a per-row constant).</param>
    /// <param name="temperature">T &gt; 0.</param>
    public static Tensor Soft(Tensor studentLogits, Tensor teacherLogits, double temperature)
    {
        ArgumentNullException.ThrowIfNull(studentLogits);
        ArgumentNullException.ThrowIfNull(teacherLogits);
        if (!(temperature > 0)) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "Must be positive.");
        if (!studentLogits.Shape.SequenceEqual(teacherLogits.Shape))
            throw new ArgumentException($"Student logits [{string.Join(", ", studentLogits.Shape.ToArray())}] and teacher logits [{string.Join(", ", teacherLogits.Shape.ToArray())}] differ in shape.", nameof(teacherLogits));
        var logP = F.LogSoftmax(teacherLogits.Detach().Div(temperature), 1);
        var p = logP.Exp();
        var logQ = F.LogSoftmax(studentLogits.Div(temperature), 1);
        return p.Mul(logP.Sub(logQ)).Sum().Mul(temperature * temperature / studentLogits.Size(0));
    }

    /// <summary>alpha · <see cref="Soft"/> + (1 − alpha) · cross-entropy with the hard labels.</summary>
    /// <param name="studentLogits">[n, classes].</param>
    /// <param name="teacherLogits">[n, classes].</param>
    /// <param name="labels">Class indices [n] (int64).</param>
    /// <param name="temperature">T &gt; 0.</param>
    /// <param name="alpha">Weight of the soft part, in [0, 1].</param>
    public static Tensor Combined(Tensor studentLogits, Tensor teacherLogits, Tensor labels, double temperature, double alpha)
    {
        if (!(alpha >= 0 && alpha <= 1)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "Must be in [0, 1].");
        var hard = F.CrossEntropy(studentLogits, labels);
        if (alpha == 0) return hard;
        var soft = Soft(studentLogits, teacherLogits, temperature);
        return alpha == 1 ? soft : soft.Mul(alpha).Add(hard.Mul(1 - alpha));
    }
}
