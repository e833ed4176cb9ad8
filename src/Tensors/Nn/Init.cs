namespace MLNetDeep.Tensors.Nn;

/// <summary>Which fan Kaiming initialization preserves: the forward pass's (fan-in) or the backward pass's (fan-out).</summary>
public enum FanMode
{
    /// <summary>Preserve the variance of activations in the forward pass.</summary>
    FanIn,
    /// <summary>Preserve the variance of gradients in the backward pass.</summary>
    FanOut,
}

/// <summary>
/// In-place weight initializers with PyTorch's formulas (<c>torch.nn.init</c>). Each fills the tensor
/// outside the autograd graph and returns it. Random ones draw from <c>generator</c> (default
/// <see cref="Generator.Default"/>) in row-major element order, so a seeded generator reproduces them.
/// </summary>
public static class Init
{
    /// <summary>
    /// The recommended gain for a nonlinearity: 1 for linear, conv*, sigmoid; 5/3 for tanh; √2 for relu;
    /// √(2/(1+slope²)) for leaky_relu (slope <paramref name="param"/>, default 0.01); 3/4 for selu.
    /// </summary>
    /// <param name="nonlinearity">Name as in PyTorch, e.g. "relu", "leaky_relu", "tanh".</param>
    /// <param name="param">Negative slope for leaky_relu.</param>
    /// <exception cref="ArgumentException">Unknown nonlinearity.</exception>
    public static double CalculateGain(string nonlinearity, double? param = null)
    {
        ArgumentNullException.ThrowIfNull(nonlinearity);
        switch (nonlinearity)
        {
            case "linear" or "conv1d" or "conv2d" or "conv3d" or "conv_transpose1d" or "conv_transpose2d" or "conv_transpose3d" or "sigmoid":
                return 1;
            case "tanh": return 5.0 / 3;
            case "relu": return Math.Sqrt(2);
            case "leaky_relu":
                double slope = param ?? 0.01;
                return Math.Sqrt(2 / (1 + slope * slope));
            case "selu": return 0.75;
            default: throw new ArgumentException($"Unsupported nonlinearity '{nonlinearity}'.", nameof(nonlinearity));
        }
    }

    /// <summary>
    /// PyTorch's fans of a weight of shape [out, in, k…]: fan_in = in·∏k, fan_out = out·∏k.
    /// </summary>
    /// <exception cref="ArgumentException">The tensor has fewer than 2 dimensions.</exception>
    public static (long FanIn, long FanOut) CalculateFanInAndFanOut(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.Rank < 2)
            throw new ArgumentException($"Fan in and fan out cannot be computed for a tensor with fewer than 2 dimensions (shape {ShapeUtil.Format(tensor.Shape)}).", nameof(tensor));
        long receptive = 1;
        for (int d = 2; d < tensor.Rank; d++) receptive *= tensor.Size(d);
        return (tensor.Size(1) * receptive, tensor.Size(0) * receptive);
    }

    /// <summary>Fills with samples from U[<paramref name="low"/>, <paramref name="high"/>).</summary>
    public static Tensor Uniform(Tensor tensor, double low = 0, double high = 1, Generator? generator = null)
    {
        RequireFloat(tensor, nameof(Uniform));
        if (!(low <= high)) throw new ArgumentException($"Uniform needs low <= high, got [{low}, {high}).");
        var g = generator ?? Generator.Default;
        return Fill(tensor, () => low + (high - low) * g.NextDouble(), high > low ? high : null);
    }

    /// <summary>Fills with samples from N(<paramref name="mean"/>, <paramref name="std"/>²).</summary>
    public static Tensor Normal(Tensor tensor, double mean = 0, double std = 1, Generator? generator = null)
    {
        RequireFloat(tensor, nameof(Normal));
        if (!(std >= 0)) throw new ArgumentOutOfRangeException(nameof(std), std, "Standard deviation must be non-negative.");
        var g = generator ?? Generator.Default;
        return Fill(tensor, () => mean + std * g.NextNormal(), null);
    }

    /// <summary>Fills with <paramref name="value"/>.</summary>
    public static Tensor Constant(Tensor tensor, double value)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.Numel == 0) return tensor; // the core cannot fill some empty shapes, e.g. [2, 0]
        using (Tensor.NoGrad()) tensor.FillInPlace(value);
        return tensor;
    }

    /// <summary>Fills with zeros.</summary>
    public static Tensor Zeros(Tensor tensor) => Constant(tensor, 0);

    /// <summary>Fills with ones.</summary>
    public static Tensor Ones(Tensor tensor) => Constant(tensor, 1);

    /// <summary>Glorot uniform: U(−a, a) with a = gain·√(6/(fan_in+fan_out)).</summary>
    public static Tensor XavierUniform(Tensor tensor, double gain = 1, Generator? generator = null)
    {
        var (fanIn, fanOut) = CalculateFanInAndFanOut(tensor);
        if (tensor.Numel == 0) return tensor;
        double a = gain * Math.Sqrt(6.0 / (fanIn + fanOut));
        return Uniform(tensor, -a, a, generator);
    }

    /// <summary>Glorot normal: N(0, std²) with std = gain·√(2/(fan_in+fan_out)).</summary>
    public static Tensor XavierNormal(Tensor tensor, double gain = 1, Generator? generator = null)
    {
        var (fanIn, fanOut) = CalculateFanInAndFanOut(tensor);
        if (tensor.Numel == 0) return tensor;
        return Normal(tensor, 0, gain * Math.Sqrt(2.0 / (fanIn + fanOut)), generator);
    }

    /// <summary>
    /// He uniform: U(−b, b) with b = √3·gain/√fan, gain = <see cref="CalculateGain"/>(<paramref name="nonlinearity"/>, <paramref name="a"/>).
    /// With a = √5 and fan-in this is PyTorch's default Linear init, U(−1/√fan_in, 1/√fan_in).
    /// </summary>
    /// <param name="tensor">Weight of shape [out, in, k…].</param>
    /// <param name="a">Negative slope of the rectifier after this layer (leaky_relu only).</param>
    /// <param name="mode">Which fan to use.</param>
    /// <param name="nonlinearity">"relu" or "leaky_relu" (recommended), or any name <see cref="CalculateGain"/> knows.</param>
    /// <param name="generator">Random source.</param>
    public static Tensor KaimingUniform(Tensor tensor, double a = 0, FanMode mode = FanMode.FanIn, string nonlinearity = "leaky_relu", Generator? generator = null)
    {
        double std = KaimingStd(tensor, a, mode, nonlinearity);
        if (tensor.Numel == 0) return tensor;
        double bound = Math.Sqrt(3) * std;
        return Uniform(tensor, -bound, bound, generator);
    }

    /// <summary>He normal: N(0, std²) with std = gain/√fan (see <see cref="KaimingUniform"/> for the arguments).</summary>
    public static Tensor KaimingNormal(Tensor tensor, double a = 0, FanMode mode = FanMode.FanIn, string nonlinearity = "leaky_relu", Generator? generator = null)
    {
        double std = KaimingStd(tensor, a, mode, nonlinearity);
        if (tensor.Numel == 0) return tensor;
        return Normal(tensor, 0, std, generator);
    }

    private static double KaimingStd(Tensor tensor, double a, FanMode mode, string nonlinearity)
    {
        var (fanIn, fanOut) = CalculateFanInAndFanOut(tensor);
        long fan = mode == FanMode.FanIn ? fanIn : fanOut;
        double gain = CalculateGain(nonlinearity, a);
        return fan == 0 ? 0 : gain / Math.Sqrt(fan);
    }

    private static void RequireFloat(Tensor tensor, string op)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!tensor.IsFloatingPoint) throw new ArgumentException($"Init.{op} needs a floating-point tensor, got {tensor.DType}.", nameof(tensor));
    }

    /// <summary>
    /// Writes sample() into each element in row-major order. Float32 values that round up to an
    /// exclusive upper bound are nudged just below it so U[low, high) holds after the cast.
    /// </summary>
    private static Tensor Fill(Tensor tensor, Func<double> sample, double? exclusiveHigh)
    {
        if (tensor.Numel == 0) return tensor;
        using var _ = Tensor.NoGrad();
        var target = tensor.IsContiguous ? tensor : Tensor.Zeros(tensor.Shape.ToArray(), tensor.DType);
        if (target.DType == DType.Float32)
        {
            var s = target.Data<float>();
            float hi = exclusiveHigh is double h ? (float)h : float.PositiveInfinity;
            for (int i = 0; i < s.Length; i++)
            {
                float v = (float)sample();
                s[i] = v >= hi ? MathF.BitDecrement(hi) : v;
            }
        }
        else
        {
            var s = target.Data<double>();
            for (int i = 0; i < s.Length; i++) s[i] = sample();
        }
        if (!ReferenceEquals(target, tensor)) tensor.CopyFrom(target);
        return tensor;
    }
}
