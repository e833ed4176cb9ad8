using MLNetDeep.Tensors;
using StbImageSharp;
using StbImageWriteSharp;

namespace MLNetDeep.Data;

/// <summary>
/// Image files ↔ tensors, in managed code (the StbImageSharp / StbImageWriteSharp ports of stb_image): PNG, JPEG,
/// BMP, TGA and GIF (first frame) decode to <c>[3, height, width]</c> float tensors in [0, 1] (grey and alpha are
/// dropped to RGB); PNG is written from <c>[1 or 3, height, width]</c> tensors (values clamped to [0, 1]).
/// </summary>
public static class ImageCodec
{
    /// <summary>Decodes an encoded image (PNG, JPEG, …) to an RGB tensor [3, H, W] in [0, 1].</summary>
    /// <param name="encoded">The file's bytes.</param>
    /// <param name="source">The file name for messages.</param>
    /// <exception cref="DataLoadException">The bytes are not an image the decoder supports.</exception>
    public static Tensor Decode(byte[] encoded, string source = "image")
    {
        ArgumentNullException.ThrowIfNull(encoded);
        ImageResult image;
        try
        {
            image = ImageResult.FromMemory(encoded, StbImageSharp.ColorComponents.RedGreenBlue);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException or NullReferenceException)
        {
            throw new DataLoadException(source, 0, $"not a decodable image (PNG, JPEG, BMP, TGA or GIF): {e.Message}", e);
        }
        if (image is null || image.Data is null || image.Width <= 0 || image.Height <= 0)
            throw new DataLoadException(source, 0, "not a decodable image (PNG, JPEG, BMP, TGA or GIF).");
        return FromInterleaved(image.Data, image.Height, image.Width);
    }

    /// <summary>Reads and decodes an image file (see <see cref="Decode"/>).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static Tensor Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Image file '{path}' does not exist.", path);
        return Decode(File.ReadAllBytes(path), path);
    }

    /// <summary>Encodes a [1 or 3, H, W] tensor (values in [0, 1], clamped) as a PNG file's bytes.</summary>
    public static byte[] EncodePng(Tensor image)
    {
        var (rgb, height, width) = ToInterleaved(image);
        using var stream = new MemoryStream();
        new ImageWriter().WritePng(rgb, width, height, StbImageWriteSharp.ColorComponents.RedGreenBlue, stream);
        return stream.ToArray();
    }

    /// <summary>Writes <paramref name="image"/> as a PNG file atomically (a temporary file renamed into place).</summary>
    public static void SavePng(Tensor image, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var bytes = EncodePng(image);
        string full = Path.GetFullPath(path);
        string temp = full + ".tmp-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, full, overwrite: true);
    }

    /// <summary>An RGB tensor [3, H, W] in [0, 1] from interleaved 8-bit RGB pixels (row-major, 3 bytes per pixel).</summary>
    public static Tensor FromInterleaved(ReadOnlySpan<byte> rgb, int height, int width)
    {
        int plane = height * width;
        if (rgb.Length < 3 * plane) throw new ArgumentException($"{rgb.Length} bytes for {height}x{width} RGB pixels; {3 * plane} are needed.", nameof(rgb));
        var data = new float[3 * plane];
        const float scale = 1f / 255f;
        for (int p = 0; p < plane; p++)
        {
            data[p] = rgb[3 * p] * scale;
            data[plane + p] = rgb[3 * p + 1] * scale;
            data[2 * plane + p] = rgb[3 * p + 2] * scale;
        }
        return Tensor.FromArray(data, 3, height, width);
    }

    /// <summary>Interleaved 8-bit RGB pixels of a [1 or 3, H, W] tensor (grey is repeated; values clamped to [0, 1] and rounded).</summary>
    public static (byte[] Rgb, int Height, int Width) ToInterleaved(Tensor image)
    {
        CheckImage(image);
        int channels = image.Size(0), height = image.Size(1), width = image.Size(2), plane = height * width;
        var data = image.ToFloatArray();
        var rgb = new byte[3 * plane];
        for (int p = 0; p < plane; p++)
        {
            for (int c = 0; c < 3; c++)
            {
                float v = data[(channels == 3 ? c : 0) * plane + p];
                rgb[3 * p + c] = (byte)(Math.Clamp(v, 0f, 1f) * 255f + 0.5f);
            }
        }
        return (rgb, height, width);
    }

    /// <summary>A new array with the three planes R, G, B of a [1 or 3, H, W] tensor (grey is repeated), for drawing on a copy.</summary>
    internal static float[] RgbPlanes(Tensor image)
    {
        CheckImage(image);
        int channels = image.Size(0), plane = image.Size(1) * image.Size(2);
        var source = image.ToFloatArray();
        if (channels == 3) return source;
        var data = new float[3 * plane];
        for (int c = 0; c < 3; c++) Array.Copy(source, 0, data, c * plane, plane);
        return data;
    }

    /// <summary>Throws unless <paramref name="image"/> is a [1 or 3, H, W] tensor.</summary>
    internal static void CheckImage(Tensor image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Rank != 3 || (image.Size(0) != 1 && image.Size(0) != 3))
            throw new ArgumentException($"An image tensor must be [1 or 3, height, width]; got [{string.Join(", ", image.Shape.ToArray())}].", nameof(image));
    }
}
