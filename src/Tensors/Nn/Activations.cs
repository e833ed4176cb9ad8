namespace MLNetDeep.Tensors.Nn;

/// <summary>max(x, 0) element-wise.</summary>
public sealed class ReLU : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Relu(input);
}

/// <summary>Hyperbolic tangent element-wise.</summary>
public sealed class Tanh : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Tanh(input);
}

/// <summary>Logistic sigmoid element-wise.</summary>
public sealed class Sigmoid : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Sigmoid(input);
}

/// <summary>GELU element-wise: x·Φ(x) (exact erf form) or its tanh approximation.</summary>
/// <param name="tanhApproximation">Use the tanh approximation (PyTorch's approximate="tanh").</param>
public sealed class GELU(bool tanhApproximation = false) : Module<Tensor, Tensor>
{
    /// <summary>Whether the tanh approximation is used.</summary>
    public bool TanhApproximation { get; } = tanhApproximation;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Gelu(input, TanhApproximation);

    /// <inheritdoc/>
    protected override string Describe() => TanhApproximation ? "GELU(approximate=tanh)" : "GELU()";
}

/// <summary>x for x &gt; 0, else slope·x, element-wise.</summary>
/// <param name="negativeSlope">Slope for negative inputs.</param>
public sealed class LeakyReLU(double negativeSlope = 0.01) : Module<Tensor, Tensor>
{
    /// <summary>Slope for negative inputs.</summary>
    public double NegativeSlope { get; } = negativeSlope;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.LeakyRelu(input, NegativeSlope);

    /// <inheritdoc/>
    protected override string Describe() => $"LeakyReLU(negative_slope={NegativeSlope})";
}

/// <summary>Softmax along a dimension.</summary>
/// <param name="dim">The dimension that sums to one (negative counts from the end).</param>
public sealed class Softmax(int dim) : Module<Tensor, Tensor>
{
    /// <summary>The normalized dimension.</summary>
    public int Dim { get; } = dim;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Softmax(input, Dim);

    /// <inheritdoc/>
    protected override string Describe() => $"Softmax(dim={Dim})";
}

/// <summary>log(softmax(x)) along a dimension, computed stably.</summary>
/// <param name="dim">The normalized dimension (negative counts from the end).</param>
public sealed class LogSoftmax(int dim) : Module<Tensor, Tensor>
{
    /// <summary>The normalized dimension.</summary>
    public int Dim { get; } = dim;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.LogSoftmax(input, Dim);

    /// <inheritdoc/>
    protected override string Describe() => $"LogSoftmax(dim={Dim})";
}

/// <summary>min(max(x, 0), 6) element-wise (torch.nn.ReLU6).</summary>
public sealed class ReLU6 : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Relu6(input);
}

/// <summary>x·relu6(x + 3)/6 element-wise (torch.nn.Hardswish).</summary>
public sealed class Hardswish : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Hardswish(input);
}
