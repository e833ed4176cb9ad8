using MLNetDeep.Tensors;

namespace MLNetDeep.Data;

/// <summary>Draws box outlines on image tensors, one fixed colour per class (for pictures of detections).</summary>
public static class BoxPainter
{
    private static readonly (float R, float G, float B)[] Palette =
    [
        (0.90f, 0.10f, 0.10f), (0.10f, 0.70f, 0.10f), (0.15f, 0.35f, 0.95f), (0.95f, 0.75f, 0.05f), (0.85f, 0.15f, 0.85f),
        (0.05f, 0.80f, 0.85f), (0.95f, 0.50f, 0.05f), (0.55f, 0.30f, 0.10f), (0.50f, 0.90f, 0.40f), (0.45f, 0.45f, 0.95f),
    ];

    /// <summary>The colour of class <paramref name="label"/> (RGB in [0, 1]); the palette repeats after 10 classes.</summary>
    public static (float R, float G, float B) ClassColor(int label) => Palette[((label % Palette.Length) + Palette.Length) % Palette.Length];

    /// <summary>
    /// A copy of <paramref name="image"/> ([1 or 3, H, W]; grey becomes RGB) with the outline of every box drawn in its
    /// class colour, <paramref name="thickness"/> pixels wide inside the box; parts outside the image are clipped.
    /// </summary>
    public static Tensor DrawBoxes(Tensor image, IEnumerable<BoundingBox> boxes, int thickness = 2)
    {
        ArgumentNullException.ThrowIfNull(boxes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(thickness);
        var data = ImageCodec.RgbPlanes(image);
        int height = image.Size(1), width = image.Size(2);
        foreach (var box in boxes)
        {
            int x1 = (int)MathF.Floor(box.X), y1 = (int)MathF.Floor(box.Y);
            int x2 = (int)MathF.Ceiling(box.X + box.Width) - 1, y2 = (int)MathF.Ceiling(box.Y + box.Height) - 1;
            var color = ClassColor(box.Label);
            for (int t = 0; t < thickness; t++)
            {
                HorizontalLine(data, height, width, y1 + t, x1, x2, color);
                HorizontalLine(data, height, width, y2 - t, x1, x2, color);
                VerticalLine(data, height, width, x1 + t, y1, y2, color);
                VerticalLine(data, height, width, x2 - t, y1, y2, color);
            }
        }
        return Tensor.FromArray(data, 3, height, width);
    }

    private static void HorizontalLine(float[] data, int height, int width, int y, int x1, int x2, (float R, float G, float B) color)
    {
        if (y < 0 || y >= height) return;
        for (int x = Math.Max(0, x1); x <= Math.Min(width - 1, x2); x++) Put(data, height * width, y * width + x, color);
    }

    private static void VerticalLine(float[] data, int height, int width, int x, int y1, int y2, (float R, float G, float B) color)
    {
        if (x < 0 || x >= width) return;
        for (int y = Math.Max(0, y1); y <= Math.Min(height - 1, y2); y++) Put(data, height * width, y * width + x, color);
    }

    private static void Put(float[] data, int plane, int p, (float R, float G, float B) color)
    {
        data[p] = color.R;
        data[plane + p] = color.G;
        data[2 * plane + p] = color.B;
    }
}
