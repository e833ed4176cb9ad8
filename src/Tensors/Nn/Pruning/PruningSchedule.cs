namespace MLNetDeep.Tensors.Nn.Pruning;

/// <summary>
/// Sparsity targets of an iterative prune → fine-tune schedule. <see cref="Cubic"/> is the gradual schedule of
/// Zhu and Gupta (2017, "To prune, or not to prune"): s_t = s_f + (s_i − s_f)·(1 − t/n)³ for t = 1…n, which prunes
/// fast while many redundant weights remain and slowly near the final target.
/// </summary>
public static class PruningSchedule
{
    /// <summary>The <paramref name="steps"/> targets of the cubic schedule from <paramref name="initialSparsity"/> to <paramref name="finalSparsity"/> (the last one is exactly the final sparsity).</summary>
    /// <param name="initialSparsity">Sparsity before the first step (usually 0).</param>
    /// <param name="finalSparsity">Sparsity after the last step, in [0, 1).</param>
    /// <param name="steps">Number of pruning steps (≥ 1).</param>
    public static IReadOnlyList<double> Cubic(double initialSparsity, double finalSparsity, int steps)
    {
        MagnitudePruner.CheckSparsity(initialSparsity);
        MagnitudePruner.CheckSparsity(finalSparsity);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        var targets = new double[steps];
        for (int t = 1; t <= steps; t++)
        {
            double remaining = 1 - (double)t / steps;
            targets[t - 1] = finalSparsity + (initialSparsity - finalSparsity) * remaining * remaining * remaining;
        }
        targets[^1] = finalSparsity;
        return targets;
    }
}
