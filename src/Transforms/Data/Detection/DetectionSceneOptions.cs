namespace MLNetDeep.Data;

/// <summary>Options of the detection-scene generator (<c>ctx.Data.GenerateDetectionScenes</c>).</summary>
public sealed class DetectionSceneOptions
{
    /// <summary>Number of scenes (rows).</summary>
    public int NumberOfImages { get; set; } = 1000;

    /// <summary>Seed; scene i depends only on (Seed, i), so any row can be regenerated alone.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>Smallest canvas side in pixels (width and height are drawn independently).</summary>
    public int MinImageSize { get; set; } = 96;

    /// <summary>Largest canvas side; equal to <see cref="MinImageSize"/> for a fixed size (then the Image column has a fixed type).</summary>
    public int MaxImageSize { get; set; } = 160;

    /// <summary>Fewest objects per scene.</summary>
    public int MinObjects { get; set; } = 1;

    /// <summary>Most objects per scene (fewer when a free enough place cannot be found).</summary>
    public int MaxObjects { get; set; } = 6;

    /// <summary>Smallest pasted item side in pixels (before the aspect jitter).</summary>
    public int MinObjectSize { get; set; } = 24;

    /// <summary>Largest pasted item side in pixels (capped by the canvas).</summary>
    public int MaxObjectSize { get; set; } = 64;

    /// <summary>Most IoU a new object's box may have with an earlier one (overlaps up to this are allowed).</summary>
    public float MaxOverlap { get; set; } = 0.4f;

    /// <summary>Number of clutter shapes (rectangles, bars, blobs) drawn on the background, at most.</summary>
    public int MaxClutterShapes { get; set; } = 12;

    /// <summary>Amplitude of the uniform pixel noise added to the whole image.</summary>
    public float NoiseLevel { get; set; } = 0.04f;

    /// <summary>Item opacity (0..1, from the item's grey value) from which a pixel belongs to the object's box and mask.</summary>
    public float ObjectThreshold { get; set; } = 0.3f;

    /// <summary>Fashion-MNIST directory (null: $MLNETDEEP_FASHION_MNIST or the Debian default); ignored when objects are given.</summary>
    public string? FashionMnistDirectory { get; set; }

    /// <summary>Paste Fashion-MNIST's test items (t10k) instead of its training items, so test scenes hold unseen objects.</summary>
    public bool UseTestItems { get; set; }

    /// <summary>A copy (generators keep their own).</summary>
    internal DetectionSceneOptions Clone() => (DetectionSceneOptions)MemberwiseClone();

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first inconsistent option.</summary>
    public void Validate()
    {
        static void Check(bool ok, string name, object value, string rule)
        {
            if (!ok) throw new ArgumentOutOfRangeException(name, value, $"DetectionSceneOptions.{name} {rule}.");
        }
        Check(NumberOfImages >= 0, nameof(NumberOfImages), NumberOfImages, "must not be negative");
        Check(MinImageSize >= 16, nameof(MinImageSize), MinImageSize, "must be at least 16");
        Check(MaxImageSize >= MinImageSize, nameof(MaxImageSize), MaxImageSize, "must be at least MinImageSize");
        Check(MinObjects >= 0, nameof(MinObjects), MinObjects, "must not be negative");
        Check(MaxObjects >= MinObjects, nameof(MaxObjects), MaxObjects, "must be at least MinObjects");
        Check(MinObjectSize >= 4, nameof(MinObjectSize), MinObjectSize, "must be at least 4");
        Check(MaxObjectSize >= MinObjectSize, nameof(MaxObjectSize), MaxObjectSize, "must be at least MinObjectSize");
        Check(MinObjectSize <= MinImageSize, nameof(MinObjectSize), MinObjectSize, "must fit the smallest canvas (MinImageSize)");
        Check(MaxOverlap is >= 0 and <= 1, nameof(MaxOverlap), MaxOverlap, "must be in [0, 1]");
        Check(MaxClutterShapes >= 0, nameof(MaxClutterShapes), MaxClutterShapes, "must not be negative");
        Check(NoiseLevel is >= 0 and <= 1, nameof(NoiseLevel), NoiseLevel, "must be in [0, 1]");
        Check(ObjectThreshold is > 0 and < 1, nameof(ObjectThreshold), ObjectThreshold, "must be in (0, 1)");
    }
}
