using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;

namespace MLNetDeep.Estimators.Vision;

/// <summary>Loss and accuracy of a network over labelled image data (no gradient, evaluation mode expected).</summary>
internal static class ImageEvaluation
{
    /// <summary>Mean cross-entropy and accuracy over <paramref name="data"/>; the network is put in evaluation mode and back.</summary>
    public static (double Loss, double Accuracy) LossAndAccuracy(Module<Tensor, Tensor> net, ImageData data, int batchSize)
    {
        bool training = net.IsTraining;
        net.Eval();
        using var _ = Tensor.NoGrad();
        double loss = 0;
        long correct = 0;
        foreach (var (input, labels) in data.InOrder(batchSize))
        {
            var logits = net.Forward(input);
            loss += F.CrossEntropy(logits, labels).Item() * labels.Size(0);
            var predicted = logits.Argmax(1).ToArray<long>();
            var truth = labels.ToArray<long>();
            for (int i = 0; i < truth.Length; i++) if (predicted[i] == truth[i]) correct++;
        }
        net.Train(training);
        return data.Count == 0 ? (double.NaN, double.NaN) : (loss / data.Count, (double)correct / data.Count);
    }
}
