namespace MLNetDeep.Estimators.Vision;

/// <summary>The network families <see cref="ImageClassificationTrainer"/> builds (all adapted to small inputs such as 28×28).</summary>
public enum ImageArchitecture
{
    /// <summary>Two hidden fully connected layers with ReLU and dropout (<see cref="ImageClassifierOptions.HiddenSize"/>).</summary>
    Mlp,
    /// <summary>Two 3×3 conv → batch norm → ReLU → 2×2 max-pool stages (<see cref="ImageClassifierOptions.Width"/>, 2·Width channels), then a hidden layer.</summary>
    SmallCnn,
    /// <summary>MobileNet v1: a 3×3 stem and depthwise-separable blocks, channels × <see cref="ImageClassifierOptions.WidthMultiplier"/>.</summary>
    MobileNetV1,
    /// <summary>MobileNet v2: a 3×3 stem and inverted residual blocks (expansion 6), channels × <see cref="ImageClassifierOptions.WidthMultiplier"/>.</summary>
    MobileNetV2,
    /// <summary>CIFAR-style ResNet of <see cref="ImageClassifierOptions.Depth"/> = 6n + 2 layers: three stages of n basic blocks (Width, 2·Width, 4·Width channels).</summary>
    ResNet,
    /// <summary>DenseNet-BC: three dense blocks of <see cref="ImageClassifierOptions.DenseLayers"/> layers with <see cref="ImageClassifierOptions.GrowthRate"/>, halving transitions.</summary>
    DenseNet,
}

/// <summary>The optimizer of an image classifier.</summary>
public enum ImageOptimizer
{
    /// <summary>Adam (β 0.9, 0.999).</summary>
    Adam,
    /// <summary>SGD with <see cref="ImageClassifierOptions.Momentum"/> (Nesterov off).</summary>
    SgdMomentum,
}

/// <summary>How the learning rate changes over epochs.</summary>
public enum LearningRateSchedule
{
    /// <summary>Constant.</summary>
    Constant,
    /// <summary>Cosine annealing from the learning rate to 0 over the epochs.</summary>
    Cosine,
    /// <summary>Multiplied by 0.1 every third of the epochs.</summary>
    Step,
}
