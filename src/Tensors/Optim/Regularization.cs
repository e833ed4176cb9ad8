namespace MLNetDeep.Tensors.Optim;

/// <summary>Penalty terms to add to a loss; they are ordinary differentiable tensors.</summary>
public static class Regularization
{
    /// <summary>
    /// Σ‖p‖² over <paramref name="parameters"/> (the sum of all squared elements) as a scalar tensor
    /// that records gradients (∂/∂p = 2p). Scale it yourself, e.g. <c>loss + 0.5 * λ * L2Penalty(ps)</c>.
    /// The result has the first parameter's dtype; an empty list gives a float32 zero.
    /// </summary>
    public static Tensor L2Penalty(IEnumerable<Tensor> parameters) => Total(parameters, p => p.Mul(p).Sum());

    /// <summary>
    /// Σ|p| over <paramref name="parameters"/> as a scalar tensor that records gradients
    /// (∂/∂p = sign(p), 0 at 0, as in PyTorch). The result has the first parameter's dtype.
    /// </summary>
    public static Tensor L1Penalty(IEnumerable<Tensor> parameters) => Total(parameters, p => p.Abs().Sum());

    private static Tensor Total(IEnumerable<Tensor> parameters, Func<Tensor, Tensor> term)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Tensor? total = null;
        int i = 0;
        foreach (var p in parameters)
        {
            if (p is null) throw new ArgumentException($"Parameter {i} is null.", nameof(parameters));
            p.RequireFloat("A penalty");
            var t = term(p);
            total = total is null ? t : total.Add(t.To(total.DType));
            i++;
        }
        return total ?? Tensor.Scalar(0);
    }
}
