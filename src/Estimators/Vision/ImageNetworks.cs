using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;

namespace MLNetDeep.Estimators.Vision;

/// <summary>
/// Builds the network of each <see cref="ImageArchitecture"/> from the engine's layers and blocks, for inputs
/// [batch, channels, height, width] and <c>classes</c> logits. The convolutional ones keep the full resolution in
/// their first stage (3×3 stride-1 stems instead of ImageNet's 7×7 stride 2) and end with global average pooling,
/// so they work on 28×28 images and larger ones.
/// </summary>
public static class ImageNetworks
{
    /// <summary>The network described by <paramref name="options"/>.</summary>
    /// <param name="options">Architecture and its sizes.</param>
    /// <param name="inputShape">[channels, height, width].</param>
    /// <param name="classes">Number of logits.</param>
    /// <param name="generator">Initialization (and dropout) random source.</param>
    public static Sequential Build(ImageClassifierOptions options, IReadOnlyList<int> inputShape, int classes, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(inputShape);
        if (inputShape.Count != 3 || inputShape.Any(d => d < 1)) throw new ArgumentException($"The input shape must be [channels, height, width], got [{string.Join(", ", inputShape)}].", nameof(inputShape));
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        int c = inputShape[0], h = inputShape[1], w = inputShape[2];
        var g = generator;
        return options.Architecture switch
        {
            ImageArchitecture.Mlp => new Sequential(new Flatten(), new Linear(c * h * w, options.HiddenSize, generator: g), new ReLU(), new Dropout(options.DropoutRate, g),
                new Linear(options.HiddenSize, options.HiddenSize, generator: g), new ReLU(), new Dropout(options.DropoutRate, g), new Linear(options.HiddenSize, classes, generator: g)),
            ImageArchitecture.SmallCnn => SmallCnn(options, c, h, w, classes, g),
            ImageArchitecture.MobileNetV1 => MobileNetV1(options.WidthMultiplier, c, classes, g),
            ImageArchitecture.MobileNetV2 => MobileNetV2(options.WidthMultiplier, c, classes, g),
            ImageArchitecture.ResNet => ResNet(options.Depth, options.Width, c, classes, g),
            ImageArchitecture.DenseNet => DenseNet(options.GrowthRate, options.DenseLayers, c, classes, g),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Architecture, "Unknown architecture."),
        };
    }

    private static Sequential ConvBn(int cin, int cout, int kernel, int stride, Generator g, Module<Tensor, Tensor> activation) =>
        new(new Conv2d(cin, cout, kernel, stride, (kernel - 1) / 2, bias: false, generator: g), new BatchNorm2d(cout), activation);

    private static Sequential Head(Sequential body, int features, int classes, Generator g) =>
        body.Append(new AdaptiveAvgPool2d(1)).Append(new Flatten()).Append(new Linear(features, classes, generator: g));

    private static Sequential SmallCnn(ImageClassifierOptions o, int c, int h, int w, int classes, Generator g)
    {
        int w1 = o.Width, w2 = 2 * o.Width;
        return new Sequential(
            ConvBn(c, w1, 3, 1, g, new ReLU()), new MaxPool2d(2),
            ConvBn(w1, w2, 3, 1, g, new ReLU()), new MaxPool2d(2),
            new Flatten(), new Dropout(o.DropoutRate, g),
            new Linear(w2 * (h / 4) * (w / 4), o.HiddenSize / 2, generator: g), new ReLU(), new Dropout(o.DropoutRate, g),
            new Linear(o.HiddenSize / 2, classes, generator: g));
    }

    private static int Scaled(int channels, double multiplier) => Math.Max(4, (int)Math.Round(channels * multiplier / 4) * 4);

    private static Sequential MobileNetV1(double alpha, int c, int classes, Generator g)
    {
        // (output channels, stride) of the depthwise-separable blocks, for 28×28: 28 → 14 → 7.
        (int Out, int Stride)[] blocks = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1)];
        int cin = Scaled(32, alpha);
        var net = new Sequential(ConvBn(c, cin, 3, 1, g, new ReLU()));
        foreach (var (outChannels, stride) in blocks)
        {
            int cout = Scaled(outChannels, alpha);
            net.Append(new DepthwiseSeparableBlock(cin, cout, stride, g));
            cin = cout;
        }
        return Head(net, cin, classes, g);
    }

    private static Sequential MobileNetV2(double alpha, int c, int classes, Generator g)
    {
        // (output channels, stride, expansion) of the inverted residual blocks, for 28×28: 28 → 14 → 7.
        (int Out, int Stride, int Expand)[] blocks = [(16, 1, 1), (24, 2, 6), (24, 1, 6), (32, 2, 6), (32, 1, 6), (64, 1, 6)];
        int cin = Scaled(32, alpha);
        var net = new Sequential(ConvBn(c, cin, 3, 1, g, new ReLU6()));
        foreach (var (outChannels, stride, expand) in blocks)
        {
            int cout = Scaled(outChannels, alpha);
            net.Append(new InvertedResidual(cin, cout, stride, expand, g));
            cin = cout;
        }
        int last = Scaled(256, alpha);
        net.Append(ConvBn(cin, last, 1, 1, g, new ReLU6()));
        return Head(net, last, classes, g);
    }

    private static Sequential ResNet(int depth, int width, int c, int classes, Generator g)
    {
        int perStage = (depth - 2) / 6, cin = width;
        var net = new Sequential(ConvBn(c, width, 3, 1, g, new ReLU()));
        for (int stage = 0; stage < 3; stage++)
        {
            int planes = width << stage;
            for (int b = 0; b < perStage; b++)
            {
                net.Append(new BasicBlock(cin, planes, stage > 0 && b == 0 ? 2 : 1, g));
                cin = planes;
            }
        }
        return Head(net, cin, classes, g);
    }

    private static Sequential DenseNet(int growth, int layers, int c, int classes, Generator g)
    {
        int features = 2 * growth;
        var net = new Sequential(new Conv2d(c, features, 3, 1, 1, bias: false, generator: g));
        for (int block = 0; block < 3; block++)
        {
            var dense = new DenseBlock(layers, features, 4, growth, 0, g);
            net.Append(dense);
            features = dense.NumOutputFeatures;
            if (block < 2)
            {
                net.Append(new Transition(features, features / 2, g));
                features /= 2;
            }
        }
        net.Append(new BatchNorm2d(features)).Append(new ReLU());
        return Head(net, features, classes, g);
    }
}
