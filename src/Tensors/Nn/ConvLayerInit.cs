namespace MLNetDeep.Tensors.Nn;

/// <summary>Argument checks and PyTorch-style parameter initialization shared by <see cref="Conv2d"/> and <see cref="ConvTranspose2d"/>.</summary>
internal static class ConvLayerInit
{
    /// <summary>Checks channels, groups, kernel size and dtype; <paramref name="layer"/> names the layer in the dtype message.</summary>
    public static void Validate(string layer, int inChannels, int outChannels, (int H, int W) kernelSize, int groups, DType dtype)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(groups, 1);
        if (inChannels % groups != 0) throw new ArgumentException($"inChannels {inChannels} must be divisible by groups {groups}.", nameof(inChannels));
        if (outChannels % groups != 0) throw new ArgumentException($"outChannels {outChannels} must be divisible by groups {groups}.", nameof(outChannels));
        if (kernelSize.H < 1 || kernelSize.W < 1) throw new ArgumentOutOfRangeException(nameof(kernelSize), "Kernel size must be positive.");
        if (dtype == DType.Int64) throw new ArgumentException($"{layer} parameters must be floating-point.", nameof(dtype));
    }

    /// <summary>A weight [dim0, dim1, KH, KW] drawn as PyTorch does: Kaiming uniform with a = √5 (fan_in = dim1·KH·KW).</summary>
    public static Tensor Weight(int dim0, int dim1, (int H, int W) kernelSize, Generator g, DType dtype) =>
        Init.KaimingUniform(Tensor.Zeros([dim0, dim1, kernelSize.H, kernelSize.W], dtype), a: Math.Sqrt(5), generator: g);

    /// <summary>A bias [<paramref name="outChannels"/>] drawn from U(−1/√fan_in, 1/√fan_in), fan_in = <paramref name="weightDim1"/>·KH·KW.</summary>
    public static Tensor Bias(int outChannels, int weightDim1, (int H, int W) kernelSize, Generator g, DType dtype)
    {
        double bound = 1 / Math.Sqrt(weightDim1 * kernelSize.H * kernelSize.W);
        return Init.Uniform(Tensor.Zeros([outChannels], dtype), -bound, bound, g);
    }
}
