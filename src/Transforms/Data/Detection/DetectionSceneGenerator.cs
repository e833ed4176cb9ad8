using MLNetDeep.Tensors;

namespace MLNetDeep.Data;

/// <summary>
/// Generates detection/segmentation scenes from real object images (Fashion-MNIST items): a canvas of random size
/// with a colour gradient, clutter shapes (rectangles, bars, blobs) and noise, and 1–6 items pasted at random scales,
/// aspect ratios, positions and colours, each item's grey value acting as its opacity. Overlaps are allowed up to
/// <see cref="DetectionSceneOptions.MaxOverlap"/> IoU; later items occlude earlier ones. The box of an item is the
/// tight box of its pixels with opacity ≥ <see cref="DetectionSceneOptions.ObjectThreshold"/>, and those pixels get the
/// item's class key id in the mask unless a later item covers them. Scene i depends only on (seed, i).
/// </summary>
public sealed class DetectionSceneGenerator
{
    private const int PlacementTries = 20;
    private readonly DetectionSceneOptions _options;

    /// <summary>Creates a generator.</summary>
    /// <param name="objects">The items to paste.</param>
    /// <param name="options">Sizes, counts, seed (validated; copied).</param>
    public DetectionSceneGenerator(SceneObjectSet objects, DetectionSceneOptions options)
    {
        ArgumentNullException.ThrowIfNull(objects);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Objects = objects;
        _options = options.Clone();
    }

    /// <summary>The items pasted.</summary>
    public SceneObjectSet Objects { get; }

    /// <summary>Class names; box label / mask value k is <c>ClassNames[k − 1]</c>.</summary>
    public IReadOnlyList<string> ClassNames => Objects.ClassNames;

    /// <summary>Number of scenes.</summary>
    public int Count => _options.NumberOfImages;

    /// <summary>Whether every scene has the same size.</summary>
    public bool IsFixedSize => _options.MinImageSize == _options.MaxImageSize;

    /// <summary>Generates scene <paramref name="index"/>.</summary>
    public DetectionScene Generate(long index)
    {
        var o = _options;
        var rng = new Random(MixSeed(o.Seed, index));
        int width = rng.Next(o.MinImageSize, o.MaxImageSize + 1);
        int height = rng.Next(o.MinImageSize, o.MaxImageSize + 1);
        int plane = width * height;
        var pixels = new float[3 * plane];
        var mask = new int[plane];
        var background = PaintBackground(rng, pixels, width, height);
        PaintClutter(rng, pixels, width, height);
        var boxes = new List<BoundingBox>();
        int wanted = rng.Next(o.MinObjects, o.MaxObjects + 1);
        var alpha = new float[o.MaxObjectSize * 2 * o.MaxObjectSize * 2];
        for (int k = 0; k < wanted; k++)
            PlaceObject(rng, pixels, mask, width, height, background, boxes, alpha);
        if (o.NoiseLevel > 0)
        {
            for (int i = 0; i < pixels.Length; i++)
                pixels[i] = Math.Clamp(pixels[i] + (rng.NextSingle() * 2 - 1) * o.NoiseLevel, 0f, 1f);
        }
        return new DetectionScene(Tensor.FromArray(pixels, 3, height, width), width, height, [.. boxes], mask);
    }

    private static (float R, float G, float B) PaintBackground(Random rng, float[] pixels, int width, int height)
    {
        int plane = width * height;
        Span<float> from = [Uniform(rng, 0.05f, 0.55f), Uniform(rng, 0.05f, 0.55f), Uniform(rng, 0.05f, 0.55f)];
        Span<float> to = [Math.Clamp(from[0] + Uniform(rng, -0.25f, 0.25f), 0, 1), Math.Clamp(from[1] + Uniform(rng, -0.25f, 0.25f), 0, 1), Math.Clamp(from[2] + Uniform(rng, -0.25f, 0.25f), 0, 1)];
        double angle = rng.NextDouble() * 2 * Math.PI;
        float dx = (float)Math.Cos(angle), dy = (float)Math.Sin(angle);
        float min = Math.Min(0, dx * (width - 1)) + Math.Min(0, dy * (height - 1));
        float span = Math.Abs(dx) * (width - 1) + Math.Abs(dy) * (height - 1) + 1e-6f;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                float t = (dx * x + dy * y - min) / span;
                for (int c = 0; c < 3; c++) pixels[c * plane + y * width + x] = from[c] + (to[c] - from[c]) * t;
            }
        }
        return ((from[0] + to[0]) / 2, (from[1] + to[1]) / 2, (from[2] + to[2]) / 2);
    }

    private void PaintClutter(Random rng, float[] pixels, int width, int height)
    {
        int shapes = rng.Next(0, _options.MaxClutterShapes + 1);
        for (int s = 0; s < shapes; s++)
        {
            Span<float> color = [rng.NextSingle(), rng.NextSingle(), rng.NextSingle()];
            float opacity = Uniform(rng, 0.2f, 0.55f);
            int kind = rng.Next(3);
            int w, h;
            if (kind == 1)
            {
                bool horizontal = rng.Next(2) == 0; // a thin bar across much of the canvas
                int length = rng.Next(Math.Min(width, height) / 3, Math.Max(width, height) + 1);
                int thickness = rng.Next(1, 4);
                (w, h) = horizontal ? (length, thickness) : (thickness, length);
            }
            else
            {
                w = rng.Next(4, Math.Max(5, width / 3));
                h = rng.Next(4, Math.Max(5, height / 3));
            }
            int x0 = rng.Next(-w / 2, width - w / 2), y0 = rng.Next(-h / 2, height - h / 2);
            float rx = w / 2f, ry = h / 2f;
            for (int y = Math.Max(0, y0); y < Math.Min(height, y0 + h); y++)
            {
                for (int x = Math.Max(0, x0); x < Math.Min(width, x0 + w); x++)
                {
                    if (kind == 2)
                    {
                        float ex = (x - x0 + 0.5f - rx) / rx, ey = (y - y0 + 0.5f - ry) / ry;
                        if (ex * ex + ey * ey > 1) continue;
                    }
                    Blend(pixels, width * height, y * width + x, color, opacity);
                }
            }
        }
    }

    private void PlaceObject(Random rng, float[] pixels, int[] mask, int width, int height, (float R, float G, float B) background, List<BoundingBox> boxes, float[] alpha)
    {
        var o = _options;
        int iw = Objects.ItemWidth, ih = Objects.ItemHeight;
        for (int attempt = 0; attempt < PlacementTries; attempt++)
        {
            int item = rng.Next(Objects.Count);
            int side = rng.Next(o.MinObjectSize, Math.Min(o.MaxObjectSize, Math.Min(width, height)) + 1);
            float aspect = MathF.Exp(Uniform(rng, -0.25f, 0.25f));
            int sw = Math.Clamp((int)MathF.Round(side * aspect), 4, width);
            int sh = Math.Clamp((int)MathF.Round(side / aspect), 4, height);
            int x0 = rng.Next(0, width - sw + 1), y0 = rng.Next(0, height - sh + 1);
            // Opacity of the resized item (bilinear, pixel centres aligned) and its tight box.
            var source = Objects.Pixels.AsSpan(item * iw * ih, iw * ih);
            int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1;
            for (int y = 0; y < sh; y++)
            {
                float sy = Math.Clamp((y + 0.5f) * ih / sh - 0.5f, 0, ih - 1);
                int y1 = (int)sy, y2 = Math.Min(y1 + 1, ih - 1);
                float fy = sy - y1;
                for (int x = 0; x < sw; x++)
                {
                    float sx = Math.Clamp((x + 0.5f) * iw / sw - 0.5f, 0, iw - 1);
                    int x1 = (int)sx, x2 = Math.Min(x1 + 1, iw - 1);
                    float fx = sx - x1;
                    float top = source[y1 * iw + x1] + (source[y1 * iw + x2] - source[y1 * iw + x1]) * fx;
                    float bottom = source[y2 * iw + x1] + (source[y2 * iw + x2] - source[y2 * iw + x1]) * fx;
                    float a = (top + (bottom - top) * fy) / 255f;
                    alpha[y * sw + x] = a;
                    if (a >= o.ObjectThreshold)
                    {
                        minX = Math.Min(minX, x);
                        maxX = Math.Max(maxX, x);
                        minY = Math.Min(minY, y);
                        maxY = Math.Max(maxY, y);
                    }
                }
            }
            if (maxX < 0) continue; // a blank item
            var box = new BoundingBox(x0 + minX, y0 + minY, maxX - minX + 1, maxY - minY + 1, Objects.Labels[item] + 1);
            if (boxes.Any(b => b.Iou(box) > o.MaxOverlap)) continue;
            // A colour that stands out from the background's mean brightness.
            Span<float> color = [Uniform(rng, 0.1f, 1f), Uniform(rng, 0.1f, 1f), Uniform(rng, 0.1f, 1f)];
            float backgroundLuma = 0.299f * background.R + 0.587f * background.G + 0.114f * background.B;
            float luma = 0.299f * color[0] + 0.587f * color[1] + 0.114f * color[2];
            if (Math.Abs(luma - backgroundLuma) < 0.3f)
            {
                float shift = backgroundLuma < 0.5f ? 0.45f : -0.45f;
                for (int c = 0; c < 3; c++) color[c] = Math.Clamp(color[c] + shift, 0f, 1f);
            }
            int plane = width * height;
            Span<float> shaded = stackalloc float[3];
            for (int y = 0; y < sh; y++)
            {
                for (int x = 0; x < sw; x++)
                {
                    float a = alpha[y * sw + x];
                    if (a <= 0) continue;
                    int p = (y0 + y) * width + x0 + x;
                    for (int c = 0; c < 3; c++) shaded[c] = color[c] * (0.6f + 0.4f * a); // keeps the item's inner shading
                    Blend(pixels, plane, p, shaded, a);
                    if (a >= o.ObjectThreshold) mask[p] = box.Label;
                }
            }
            boxes.Add(box);
            return;
        }
    }

    private static void Blend(float[] pixels, int plane, int p, ReadOnlySpan<float> color, float opacity)
    {
        for (int c = 0; c < 3; c++)
        {
            ref float v = ref pixels[c * plane + p];
            v += (color[c] - v) * opacity;
        }
    }

    private static float Uniform(Random rng, float low, float high) => low + rng.NextSingle() * (high - low);

    /// <summary>A 32-bit seed from (seed, index) by the SplitMix64 finaliser, so neighbouring rows get unrelated streams.</summary>
    internal static int MixSeed(int seed, long index)
    {
        ulong z = ((ulong)(uint)seed << 32 ^ (ulong)index) + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(z & 0x7FFFFFFF);
    }
}
