namespace MLNetDeep.Tensors.Nn;

/// <summary>Resamples [N, C, H, W] inputs (torch.nn.Upsample): nearest or bilinear, to a size or by a scale factor.</summary>
public sealed class Upsample : Module<Tensor, Tensor>
{
    /// <summary>Target (height, width), or null when a scale factor is used.</summary>
    public int[]? Size { get; }

    /// <summary>Scale factor (one or two values), or null when a size is used.</summary>
    public double[]? ScaleFactor { get; }

    /// <summary>"nearest" or "bilinear".</summary>
    public string Mode { get; }

    /// <summary>Bilinear only: align the corner pixels of input and output.</summary>
    public bool? AlignCorners { get; }

    /// <summary>Creates the layer; give exactly one of <paramref name="size"/> and <paramref name="scaleFactor"/>.</summary>
    /// <param name="size">Target (height, width).</param>
    /// <param name="scaleFactor">Multiplier of the spatial size (one value, or height and width).</param>
    /// <param name="mode">"nearest" or "bilinear".</param>
    /// <param name="alignCorners">Bilinear only (default false).</param>
    public Upsample(int[]? size = null, double[]? scaleFactor = null, string mode = "nearest", bool? alignCorners = null)
    {
        if ((size == null) == (scaleFactor == null)) throw new ArgumentException("Upsample needs exactly one of size and scaleFactor.", nameof(size));
        if (mode is not ("nearest" or "bilinear")) throw new ArgumentException($"Upsample mode must be \"nearest\" or \"bilinear\", got \"{mode}\".", nameof(mode));
        (Size, ScaleFactor, Mode, AlignCorners) = (size?.ToArray(), scaleFactor?.ToArray(), mode, alignCorners);
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Interpolate(input, Size, ScaleFactor, Mode, AlignCorners);

    /// <inheritdoc/>
    protected override string Describe() => $"Upsample(mode={Mode})";
}
