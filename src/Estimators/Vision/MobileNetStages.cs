using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;

namespace MLNetDeep.Estimators.Vision;

/// <summary>
/// The MobileNet-v2-style backbone shared by the detector and the segmenter: a stride-2 3×3 stem (convolution, batch
/// norm, ReLU6) with <c>w</c> channels, then four stages of <see cref="InvertedResidual"/> blocks, each a stride-2
/// block followed by <c>depth</c> stride-1 blocks (the second stage one more), with 1.5w, 2w, 4w and 6w channels —
/// maps at strides 2, 4, 8, 16 and 32.
/// </summary>
internal static class MobileNetStages
{
    /// <summary>Channels of the stem and the four stages for stem width <paramref name="width"/>.</summary>
    public static int[] Channels(int width) => [width, width * 3 / 2, width * 2, width * 4, width * 6];

    /// <summary>The stem: 3×3 stride-2 convolution from RGB, batch norm, ReLU6.</summary>
    public static Sequential Stem(int width, Generator generator) =>
        new(new Conv2d(3, width, 3, 2, 1, bias: false, generator: generator), new BatchNorm2d(width), new ReLU6());

    /// <summary>Stage <paramref name="index"/> (1..4): a stride-2 block (expansion 1 for stage 1, else 4) and its stride-1 blocks.</summary>
    public static Sequential Stage(int index, int width, int depth, Generator generator)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(index, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, 4);
        var c = Channels(width);
        var stage = new Sequential(new InvertedResidual(c[index - 1], c[index], 2, index == 1 ? 1 : 4, generator));
        int extra = depth + (index == 2 ? 1 : 0);
        for (int i = 0; i < extra; i++) stage.Append(new InvertedResidual(c[index], c[index], 1, 4, generator));
        return stage;
    }
}
