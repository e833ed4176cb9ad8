using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;

namespace MLNetDeep.Estimators.Vision.Detection;

/// <summary>
/// A small SSD detector: a MobileNet-v2-style backbone (a stride-2 3×3 stem, then four stages, each a stride-2
/// <see cref="InvertedResidual"/> block followed by <see cref="Depth"/> stride-1 blocks; the second stage has one
/// more) whose last three stages (strides 8, 16 and 32) feed a top-down path — the deeper map, through a 1×1
/// convolution and a ×2 nearest up-sampling, is added to the shallower one (as in a feature pyramid), so the
/// fine maps also see deep features — and then each a 3×3 convolutional head. Every head predicts, per cell and default box, 4 SSD offsets and <c>classes + 1</c> logits
/// (index 0 = background). <see cref="Forward"/> returns <c>[batch, priors, 4 + classes + 1]</c>, the priors in
/// <see cref="DefaultBoxes"/> order (map, row, column, box).
/// </summary>
public sealed class SsdNetwork : Module<Tensor, Tensor>
{
    /// <summary>The aspect ratios of the default boxes (plus the extra square of each map).</summary>
    public static readonly float[] AspectRatios = [1f, 2f, 0.5f];

    /// <summary>Default-box scales of the three maps, as fractions of the input side.</summary>
    public static readonly float[] Scales = [0.18f, 0.38f, 0.65f];

    private readonly Sequential _stem, _stage1, _stage2, _stage3, _stage4;
    private readonly Conv2d _head0, _head1, _head2, _lateral1, _lateral2;
    private readonly Upsample _up;

    /// <summary>Creates the network.</summary>
    /// <param name="inputSize">Input side (a multiple of 32).</param>
    /// <param name="classes">Object classes (without the background).</param>
    /// <param name="width">Channels of the stem; later stages use 1.5, 2, 4 and 6 times as many.</param>
    /// <param name="depth">Stride-1 blocks after the stride-2 block of each stage (0 or more).</param>
    /// <param name="generator">Random source of the initialisation.</param>
    public SsdNetwork(int inputSize, int classes, int width, int depth, Generator generator)
    {
        if (inputSize < 32 || inputSize % 32 != 0) throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, "The input side must be a positive multiple of 32.");
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 4);
        ArgumentOutOfRangeException.ThrowIfNegative(depth);
        InputSize = inputSize;
        Classes = classes;
        Width = width;
        Depth = depth;
        var ch = MobileNetStages.Channels(width);
        int c2 = ch[2], c3 = ch[3], c4 = ch[4];
        _stem = RegisterModule("stem", MobileNetStages.Stem(width, generator));
        _stage1 = RegisterModule("stage1", MobileNetStages.Stage(1, width, depth, generator));
        _stage2 = RegisterModule("stage2", MobileNetStages.Stage(2, width, depth, generator));
        _stage3 = RegisterModule("stage3", MobileNetStages.Stage(3, width, depth, generator));
        _stage4 = RegisterModule("stage4", MobileNetStages.Stage(4, width, depth, generator));
        _lateral2 = RegisterModule("lateral2", new Conv2d(c4, c3, 1, generator: generator));
        _lateral1 = RegisterModule("lateral1", new Conv2d(c3, c2, 1, generator: generator));
        _up = new Upsample(scaleFactor: [2.0, 2.0]);
        int perCell = DefaultBoxes.BoxesPerCell(AspectRatios);
        _head0 = RegisterModule("head0", new Conv2d(c2, perCell * ValuesPerPrior, 3, 1, 1, generator: generator));
        _head1 = RegisterModule("head1", new Conv2d(c3, perCell * ValuesPerPrior, 3, 1, 1, generator: generator));
        _head2 = RegisterModule("head2", new Conv2d(c4, perCell * ValuesPerPrior, 3, 1, 1, generator: generator));
        Priors = DefaultBoxes.Generate(inputSize, FeatureMapSizes, Scales, AspectRatios);
    }

    /// <summary>Input side in pixels.</summary>
    public int InputSize { get; }

    /// <summary>Object classes (without the background).</summary>
    public int Classes { get; }

    /// <summary>Channels of the stem.</summary>
    public int Width { get; }

    /// <summary>Stride-1 blocks after the first block of each stage.</summary>
    public int Depth { get; }

    /// <summary>Values per prior: 4 offsets then <see cref="Classes"/> + 1 logits.</summary>
    public int ValuesPerPrior => 4 + Classes + 1;

    /// <summary>Sides of the three feature maps the heads read (input side / 8, 16, 32).</summary>
    public int[] FeatureMapSizes => [InputSize / 8, InputSize / 16, InputSize / 32];

    /// <summary>The default boxes, packed centre-size, in input pixels.</summary>
    public float[] Priors { get; }

    /// <summary>Number of default boxes.</summary>
    public int PriorCount => Priors.Length / 4;

    /// <summary>The backbone stages, the top-down path (1×1 convolutions into the maps of strides 16 and 8, the ×2 up-sampling) and the heads, in export order.</summary>
    internal (Sequential Stem, Sequential Stage1, Sequential Stage2, Sequential Stage3, Sequential Stage4, Conv2d Lateral2, Conv2d Lateral1, Upsample Up, Conv2d[] Heads) Parts =>
        (_stem, _stage1, _stage2, _stage3, _stage4, _lateral2, _lateral1, _up, [_head0, _head1, _head2]);

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != 4 || input.Size(1) != 3 || input.Size(2) != InputSize || input.Size(3) != InputSize)
            throw new ArgumentException($"SsdNetwork expects [batch, 3, {InputSize}, {InputSize}], got [{string.Join(", ", input.Shape.ToArray())}].", nameof(input));
        var a = _stage2.Forward(_stage1.Forward(_stem.Forward(input)));
        var b = _stage3.Forward(a);
        var c = _stage4.Forward(b);
        b = b.Add(_up.Forward(_lateral2.Forward(c)));
        a = a.Add(_up.Forward(_lateral1.Forward(b)));
        return Tensor.Cat([PerPrior(_head0.Forward(a)), PerPrior(_head1.Forward(b)), PerPrior(_head2.Forward(c))], 1);
    }

    private Tensor PerPrior(Tensor head) => head.Permute(0, 2, 3, 1).Reshape(head.Size(0), -1, ValuesPerPrior);
}
