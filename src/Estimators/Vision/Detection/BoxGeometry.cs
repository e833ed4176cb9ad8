using System.Buffers;
using System.Numerics;
using MLNetDeep.Data;

namespace MLNetDeep.Estimators.Vision.Detection;

/// <summary>
/// Box geometry on packed corner boxes: a span of <c>4·n</c> floats holding <c>(x1, y1, x2, y2)</c> per box
/// (left, top, right, bottom in pixels, right/bottom exclusive as in torchvision). IoU and GIoU matrices are
/// computed row by row with <see cref="Vector{T}"/> over the second set, which is first transposed into
/// structure-of-arrays form in one pooled buffer (no allocation per element or per row).
/// </summary>
public static class BoxGeometry
{
    /// <summary>Intersection over union of every box of <paramref name="a"/> with every box of <paramref name="b"/>.</summary>
    /// <param name="a">n boxes, xyxy packed.</param>
    /// <param name="b">m boxes, xyxy packed.</param>
    /// <param name="destination">n·m values, row-major (<c>[i·m + j]</c> = IoU(a_i, b_j)); 0 where the union is empty.</param>
    public static void IouMatrix(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination) =>
        Pairwise(a, b, destination, generalized: false);

    /// <summary>The IoU matrix as a new array (n·m, row-major).</summary>
    public static float[] IouMatrix(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var result = new float[Count(a, nameof(a)) * Count(b, nameof(b))];
        IouMatrix(a, b, result);
        return result;
    }

    /// <summary>
    /// Generalized IoU (Rezatofighi et al. 2019): IoU − (C − U)/C with C the area of the smallest enclosing box and U
    /// the union; in [−1, 1]. Where C is empty the value is the IoU (0).
    /// </summary>
    public static void GeneralizedIouMatrix(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination) =>
        Pairwise(a, b, destination, generalized: true);

    /// <summary>The GIoU matrix as a new array (n·m, row-major).</summary>
    public static float[] GeneralizedIouMatrix(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var result = new float[Count(a, nameof(a)) * Count(b, nameof(b))];
        GeneralizedIouMatrix(a, b, result);
        return result;
    }

    /// <summary>IoU of two boxes given as <see cref="BoundingBox"/> (x, y, width, height); see <see cref="BoundingBoxExtensions.Iou"/>.</summary>
    public static float Iou(in BoundingBox a, in BoundingBox b) => a.Iou(b);

    /// <summary>Packs boxes (x, y, width, height) into corner form xyxy.</summary>
    public static float[] ToCorners(IReadOnlyList<BoundingBox> boxes)
    {
        ArgumentNullException.ThrowIfNull(boxes);
        var result = new float[boxes.Count * 4];
        for (int i = 0; i < boxes.Count; i++)
        {
            var bx = boxes[i];
            result[4 * i] = bx.X;
            result[4 * i + 1] = bx.Y;
            result[4 * i + 2] = bx.X + bx.Width;
            result[4 * i + 3] = bx.Y + bx.Height;
        }
        return result;
    }

    /// <summary>Number of boxes in a packed span; throws when its length is not a multiple of 4.</summary>
    public static int Count(ReadOnlySpan<float> boxes, string argumentName)
    {
        if (boxes.Length % 4 != 0)
            throw new ArgumentException($"Packed boxes need 4 floats per box (x1, y1, x2, y2); got {boxes.Length} floats.", argumentName);
        return boxes.Length / 4;
    }

    private static void Pairwise(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination, bool generalized)
    {
        int n = Count(a, nameof(a)), m = Count(b, nameof(b));
        if (destination.Length < n * m)
            throw new ArgumentException($"The destination holds {destination.Length} values; {n}×{m} = {n * m} are needed.", nameof(destination));
        if (n == 0 || m == 0) return;
        var rented = ArrayPool<float>.Shared.Rent(5 * m);
        try
        {
            var bx1 = rented.AsSpan(0, m);
            var by1 = rented.AsSpan(m, m);
            var bx2 = rented.AsSpan(2 * m, m);
            var by2 = rented.AsSpan(3 * m, m);
            var bArea = rented.AsSpan(4 * m, m);
            for (int j = 0; j < m; j++)
            {
                bx1[j] = b[4 * j];
                by1[j] = b[4 * j + 1];
                bx2[j] = b[4 * j + 2];
                by2[j] = b[4 * j + 3];
                bArea[j] = (bx2[j] - bx1[j]) * (by2[j] - by1[j]);
            }
            for (int i = 0; i < n; i++)
            {
                float ax1 = a[4 * i], ay1 = a[4 * i + 1], ax2 = a[4 * i + 2], ay2 = a[4 * i + 3];
                float aArea = (ax2 - ax1) * (ay2 - ay1);
                var row = destination.Slice(i * m, m);
                int j = 0;
                if (Vector.IsHardwareAccelerated && m >= Vector<float>.Count)
                {
                    var vx1 = new Vector<float>(ax1);
                    var vy1 = new Vector<float>(ay1);
                    var vx2 = new Vector<float>(ax2);
                    var vy2 = new Vector<float>(ay2);
                    var va = new Vector<float>(aArea);
                    for (; j <= m - Vector<float>.Count; j += Vector<float>.Count)
                    {
                        var cx1 = new Vector<float>(bx1[j..]);
                        var cy1 = new Vector<float>(by1[j..]);
                        var cx2 = new Vector<float>(bx2[j..]);
                        var cy2 = new Vector<float>(by2[j..]);
                        var iw = Vector.Max(Vector<float>.Zero, Vector.Min(vx2, cx2) - Vector.Max(vx1, cx1));
                        var ih = Vector.Max(Vector<float>.Zero, Vector.Min(vy2, cy2) - Vector.Max(vy1, cy1));
                        var inter = iw * ih;
                        var union = va + new Vector<float>(bArea[j..]) - inter;
                        var positive = Vector.GreaterThan(union, Vector<float>.Zero);
                        var iou = Vector.ConditionalSelect(positive, inter / Vector.ConditionalSelect(positive, union, Vector<float>.One), Vector<float>.Zero);
                        if (generalized)
                        {
                            var enclosing = (Vector.Max(vx2, cx2) - Vector.Min(vx1, cx1)) * (Vector.Max(vy2, cy2) - Vector.Min(vy1, cy1));
                            var hasArea = Vector.GreaterThan(enclosing, Vector<float>.Zero);
                            var safe = Vector.ConditionalSelect(hasArea, enclosing, Vector<float>.One);
                            iou = Vector.ConditionalSelect(hasArea, iou - (safe - union) / safe, iou);
                        }
                        iou.CopyTo(row[j..]);
                    }
                }
                for (; j < m; j++)
                {
                    float iw = MathF.Max(0, MathF.Min(ax2, bx2[j]) - MathF.Max(ax1, bx1[j]));
                    float ih = MathF.Max(0, MathF.Min(ay2, by2[j]) - MathF.Max(ay1, by1[j]));
                    float inter = iw * ih;
                    float union = aArea + bArea[j] - inter;
                    float iou = union > 0 ? inter / union : 0f;
                    if (generalized)
                    {
                        float enclosing = (MathF.Max(ax2, bx2[j]) - MathF.Min(ax1, bx1[j])) * (MathF.Max(ay2, by2[j]) - MathF.Min(ay1, by1[j]));
                        if (enclosing > 0) iou -= (enclosing - union) / enclosing;
                    }
                    row[j] = iou;
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }
}
