using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Optim;

namespace MLNetDeep.Estimators.Vision;

/// <summary>The optimizer and epoch-level learning-rate scheduler named by trainer options (<see cref="ImageOptimizer"/>, <see cref="LearningRateSchedule"/>), shared by the trainers that offer them.</summary>
internal static class TrainingSetup
{
    /// <summary>Adam, or SGD with <paramref name="momentum"/>, over <paramref name="parameters"/>.</summary>
    public static Optimizer CreateOptimizer(ImageOptimizer kind, IEnumerable<Tensor> parameters, double learningRate, double momentum, double weightDecay = 0) => kind switch
    {
        ImageOptimizer.SgdMomentum => new Sgd(parameters, learningRate, momentum, weightDecay: weightDecay),
        _ => new Adam(parameters, learningRate, weightDecay: weightDecay),
    };

    /// <summary>The scheduler stepped once per epoch, or null for a constant rate: cosine to 0 over <paramref name="numberOfEpochs"/>, or × 0.1 every third of them.</summary>
    public static LearningRateScheduler? CreateScheduler(LearningRateSchedule schedule, Optimizer optimizer, int numberOfEpochs) => schedule switch
    {
        LearningRateSchedule.Cosine => new CosineAnnealingLR(optimizer, numberOfEpochs),
        LearningRateSchedule.Step => new StepLR(optimizer, Math.Max(1, numberOfEpochs / 3), 0.1),
        _ => null,
    };
}
