using MLNetDeep.Tensors;

namespace MLNetDeep.Data;

/// <summary>Paints per-pixel class masks over image tensors in the class colours of <see cref="BoxPainter"/> (for pictures of segmentations).</summary>
public static class MaskPainter
{
    /// <summary>
    /// A copy of <paramref name="image"/> ([1 or 3, H, W]; grey becomes RGB) where every pixel of a class other than the
    /// background (0) is blended with that class's colour: <c>(1 − opacity)·pixel + opacity·colour</c>.
    /// <paramref name="mask"/> holds H·W class ids, row-major.
    /// </summary>
    public static Tensor Overlay(Tensor image, ReadOnlySpan<int> mask, float opacity = 0.55f)
    {
        ImageCodec.CheckImage(image);
        if (!(opacity is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(opacity), opacity, "Must be in [0, 1].");
        int height = image.Size(1), width = image.Size(2), plane = height * width;
        if (mask.Length != plane) throw new ArgumentException($"The mask has {mask.Length} values for a {height}×{width} image ({plane} pixels).", nameof(mask));
        var data = ImageCodec.RgbPlanes(image);
        for (int p = 0; p < plane; p++)
        {
            if (mask[p] == 0) continue;
            var (r, g, b) = BoxPainter.ClassColor(mask[p]);
            data[p] += opacity * (r - data[p]);
            data[plane + p] += opacity * (g - data[plane + p]);
            data[2 * plane + p] += opacity * (b - data[2 * plane + p]);
        }
        return Tensor.FromArray(data, 3, height, width);
    }

    /// <summary>The mask alone as an RGB image: black background, each class in its colour.</summary>
    public static Tensor Colorize(ReadOnlySpan<int> mask, int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        return Overlay(Tensor.Zeros([3, height, width]), mask, opacity: 1f);
    }

    /// <summary>Images of equal height side by side, left to right, separated by <paramref name="gap"/> white columns.</summary>
    public static Tensor SideBySide(IReadOnlyList<Tensor> images, int gap = 4)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0) throw new ArgumentException("No images.", nameof(images));
        int height = images[0].Size(1);
        foreach (var im in images)
        {
            ImageCodec.CheckImage(im);
            if (im.Size(1) != height) throw new ArgumentException($"Heights differ ({im.Size(1)} vs {height}).", nameof(images));
        }
        int width = images.Sum(im => im.Size(2)) + gap * (images.Count - 1), plane = height * width;
        var data = new float[3 * plane];
        Array.Fill(data, 1f);
        int x0 = 0;
        foreach (var im in images)
        {
            var src = ImageCodec.RgbPlanes(im);
            int w = im.Size(2), srcPlane = height * w;
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < height; y++)
                    Array.Copy(src, c * srcPlane + y * w, data, c * plane + y * width + x0, w);
            x0 += w + gap;
        }
        return Tensor.FromArray(data, 3, height, width);
    }
}
