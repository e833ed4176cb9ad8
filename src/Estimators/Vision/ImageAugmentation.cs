namespace MLNetDeep.Estimators.Vision;

/// <summary>
/// Training-time augmentation of image batches, drawn from the trainer's seeded generator: a random crop of the
/// image zero-padded by <see cref="CropPadding"/> pixels on each side (i.e. a shift of up to that many pixels), a
/// further random shift of up to <see cref="MaxShift"/> pixels, and a horizontal flip with probability
/// <see cref="HorizontalFlipProbability"/>. Validation, scoring and evaluation never augment.
/// </summary>
public sealed class ImageAugmentation
{
    /// <summary>Zero padding for the random crop (0: no crop; 2 or 4 are usual for 28×28).</summary>
    public int CropPadding { get; set; }

    /// <summary>Largest random shift in pixels along each axis, emptied pixels zero (0: none).</summary>
    public int MaxShift { get; set; }

    /// <summary>Probability of a horizontal flip (0: never; 0.5 is usual).</summary>
    public double HorizontalFlipProbability { get; set; }

    /// <summary>Whether any augmentation is on.</summary>
    public bool IsEnabled => CropPadding > 0 || MaxShift > 0 || HorizontalFlipProbability > 0;

    /// <summary>A copy.</summary>
    public ImageAugmentation Clone() => (ImageAugmentation)MemberwiseClone();

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(CropPadding, nameof(CropPadding));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxShift, nameof(MaxShift));
        if (!(HorizontalFlipProbability >= 0 && HorizontalFlipProbability <= 1))
            throw new ArgumentOutOfRangeException(nameof(HorizontalFlipProbability), HorizontalFlipProbability, "Must be in [0, 1].");
    }
}
