namespace MLNetDeep.Data;

/// <summary>Small geometric helpers on <see cref="BoundingBox"/> (x, y, width, height).</summary>
public static class BoundingBoxExtensions
{
    /// <summary>Intersection over union of two boxes; 0 when the union is empty.</summary>
    public static float Iou(this BoundingBox a, BoundingBox b)
    {
        float iw = MathF.Max(0, MathF.Min(a.X + a.Width, b.X + b.Width) - MathF.Max(a.X, b.X));
        float ih = MathF.Max(0, MathF.Min(a.Y + a.Height, b.Y + b.Height) - MathF.Max(a.Y, b.Y));
        float inter = iw * ih;
        float union = a.Width * a.Height + b.Width * b.Height - inter;
        return union > 0 ? inter / union : 0f;
    }
}
