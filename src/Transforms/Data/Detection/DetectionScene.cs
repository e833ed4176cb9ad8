using MLNetDeep.Tensors;

namespace MLNetDeep.Data;

/// <summary>
/// One image with its objects: an RGB tensor [3, <see cref="Height"/>, <see cref="Width"/>] in [0, 1], the boxes in
/// pixels whose <see cref="BoundingBox.Label"/> is a 1-based class key id, and optionally a per-pixel class mask
/// (row-major, 0 = background, else the key id of the object on top).
/// </summary>
public sealed class DetectionScene
{
    /// <summary>Creates a scene.</summary>
    public DetectionScene(Tensor? image, int width, int height, BoundingBox[] boxes, int[]? mask = null)
    {
        ArgumentNullException.ThrowIfNull(boxes);
        if (mask is not null && mask.Length != width * height)
            throw new ArgumentException($"The mask has {mask.Length} pixels; a {width}x{height} image has {width * height}.", nameof(mask));
        Image = image;
        Width = width;
        Height = height;
        Boxes = boxes;
        Mask = mask;
    }

    /// <summary>The pixels [3, H, W]; null when the reader was asked not to decode them.</summary>
    public Tensor? Image { get; }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>The objects (label = class key id, score 1).</summary>
    public BoundingBox[] Boxes { get; }

    /// <summary>The class key id of each box, in box order.</summary>
    public uint[] Labels => Boxes.Select(b => (uint)b.Label).ToArray();

    /// <summary>Per-pixel class ids (H·W, row-major, 0 = background), or null when the source has no masks.</summary>
    public int[]? Mask { get; }
}
