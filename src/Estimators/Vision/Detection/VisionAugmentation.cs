using MLNetDeep.Tensors;

namespace MLNetDeep.Estimators.Vision.Detection;

/// <summary>Seeded augmentations of detection and segmentation batches.</summary>
public static class VisionAugmentation
{
    /// <summary>
    /// Flips each image of <c>[batch, channels, H, W]</c> left-right with probability <paramref name="probability"/>
    /// (one draw per image from <paramref name="random"/>), mirroring its packed corner boxes (x ↦ W − x) and, when
    /// given, its mask rows of <c>[batch, H, W]</c> with it.
    /// </summary>
    public static (Tensor Images, float[][] Boxes, Tensor? Masks) RandomHorizontalFlip(Tensor images, IReadOnlyList<float[]> boxes, Tensor? masks,
        double probability, Random random)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(boxes);
        ArgumentNullException.ThrowIfNull(random);
        int n = images.Size(0), c = images.Size(1), h = images.Size(2), w = images.Size(3);
        var flip = new bool[n];
        for (int i = 0; i < n; i++) flip[i] = probability > 0 && random.NextDouble() < probability;
        var outBoxes = boxes.Select(b => (float[])b.Clone()).ToArray();
        if (!flip.Any(f => f)) return (images, outBoxes, masks);
        var pixels = images.ToArray<float>();
        var maskValues = masks?.ToArray<long>();
        for (int i = 0; i < n; i++)
        {
            if (!flip[i]) continue;
            for (int r = 0; r < c * h; r++) pixels.AsSpan((i * c * h + r) * w, w).Reverse();
            if (maskValues is not null) for (int r = 0; r < h; r++) maskValues.AsSpan((i * h + r) * w, w).Reverse();
            var b = outBoxes[i];
            for (int k = 0; k < b.Length; k += 4) (b[k], b[k + 2]) = (w - b[k + 2], w - b[k]);
        }
        return (Tensor.FromArray(pixels, n, c, h, w), outBoxes, maskValues is null ? null : Tensor.FromArray(maskValues, n, h, w));
    }

    /// <summary>The flip of images and boxes only (see the overload with masks).</summary>
    public static (Tensor Images, float[][] Boxes) RandomHorizontalFlip(Tensor images, IReadOnlyList<float[]> boxes, double probability, Random random)
    {
        var (i, b, _) = RandomHorizontalFlip(images, boxes, null, probability, random);
        return (i, b);
    }
}
