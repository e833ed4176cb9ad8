namespace MLNetDeep.Tensors.Optim;

/// <summary>Options of <see cref="AdamW"/> (PyTorch's <c>torch.optim.AdamW</c>).</summary>
public sealed class AdamWOptions
{
    /// <summary>Learning rate.</summary>
    public double LearningRate { get; set; } = 1e-3;

    /// <summary>Decay rate of the first-moment (gradient) running average.</summary>
    public double Beta1 { get; set; } = 0.9;

    /// <summary>Decay rate of the second-moment (squared gradient) running average.</summary>
    public double Beta2 { get; set; } = 0.999;

    /// <summary>Added to the denominator for numerical stability.</summary>
    public double Epsilon { get; set; } = 1e-8;

    /// <summary>Decoupled weight decay: each step first scales the parameter by 1 − lr·weight decay.</summary>
    public double WeightDecay { get; set; } = 0.01;

    /// <summary>Uses the maximum of all second-moment averages so far (AMSGrad).</summary>
    public bool AmsGrad { get; set; }
}

/// <summary>
/// Adam with decoupled weight decay, as <c>torch.optim.AdamW</c> in PyTorch 1.13: each step first
/// sets <c>p = p·(1 − lr·wd)</c>, then applies the <see cref="Adam"/> update with the raw gradient
/// (no L2 term). State is the same as Adam's.
/// </summary>
public sealed class AdamW : AdamBase
{
    /// <summary>Creates the optimizer from individual hyperparameters.</summary>
    public AdamW(IEnumerable<Tensor> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0.01, bool amsGrad = false)
        : this(parameters, new AdamWOptions { LearningRate = learningRate, Beta1 = beta1, Beta2 = beta2, Epsilon = epsilon, WeightDecay = weightDecay, AmsGrad = amsGrad })
    {
    }

    /// <summary>Creates the optimizer from an options object (copied).</summary>
    public AdamW(IEnumerable<Tensor> parameters, AdamWOptions options)
        : base(parameters, (options ?? throw new ArgumentNullException(nameof(options))).LearningRate,
            AdamHyper.Create(options.Beta1, options.Beta2, options.Epsilon, options.WeightDecay, options.AmsGrad), decoupled: true)
    {
    }
}
