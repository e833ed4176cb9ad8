using MLNetDeep.Tensors;

namespace MLNetDeep.Estimators.Vision;

/// <summary>
/// Applies <see cref="ImageAugmentation"/> to a batch [n, channels, height, width] in place: per image one shift
/// (dy, dx) drawn uniformly from ±(crop padding + max shift), which is what a random crop of the zero-padded image
/// amounts to, emptied pixels zero, then an optional horizontal flip. Draws come from one seeded generator in a
/// fixed order, so a seed gives the same augmented batches.
/// </summary>
internal sealed class ImageAugmenter(ImageAugmentation settings, Generator generator)
{
    private float[] _scratch = [];

    public void Apply(Span<float> batch, int n, int channels, int height, int width)
    {
        if (!settings.IsEnabled) return;
        int range = settings.CropPadding + settings.MaxShift, plane = height * width, image = channels * plane;
        if (_scratch.Length < image) _scratch = new float[image];
        for (int i = 0; i < n; i++)
        {
            int dy = range > 0 ? generator.NextInt(2 * range + 1) - range : 0;
            int dx = range > 0 ? generator.NextInt(2 * range + 1) - range : 0;
            bool flip = settings.HorizontalFlipProbability > 0 && generator.NextDouble() < settings.HorizontalFlipProbability;
            if (dy == 0 && dx == 0 && !flip) continue;
            var x = batch.Slice(i * image, image);
            x.CopyTo(_scratch);
            x.Clear();
            for (int c = 0; c < channels; c++)
                for (int yOut = 0; yOut < height; yOut++)
                {
                    int yIn = yOut - dy;
                    if ((uint)yIn >= (uint)height) continue;
                    var src = _scratch.AsSpan(c * plane + yIn * width, width);
                    var dst = x.Slice(c * plane + yOut * width, width);
                    for (int xOut = 0; xOut < width; xOut++)
                    {
                        int xShifted = flip ? width - 1 - xOut : xOut;
                        int xIn = xShifted - dx;
                        if ((uint)xIn < (uint)width) dst[xOut] = src[xIn];
                    }
                }
        }
    }
}
