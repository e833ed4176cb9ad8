namespace MLNetDeep.Estimators.Vision.Segmentation;

/// <summary>Accumulates a pixel confusion matrix over masks and turns it into <see cref="SegmentationMetrics"/>.</summary>
public sealed class SegmentationEvaluator
{
    private readonly long[,] _confusion;

    /// <summary>Creates an empty accumulator.</summary>
    /// <param name="numberOfClasses">Classes including the background (mask values 0..numberOfClasses−1).</param>
    /// <param name="ignoreLabel">A truth value whose pixels are skipped (e.g. 255 for VOC's borders), or null.</param>
    public SegmentationEvaluator(int numberOfClasses, int? ignoreLabel = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numberOfClasses, 1);
        NumberOfClasses = numberOfClasses;
        IgnoreLabel = ignoreLabel;
        _confusion = new long[numberOfClasses, numberOfClasses];
    }

    /// <summary>Classes including the background.</summary>
    public int NumberOfClasses { get; }

    /// <summary>Truth value skipped, or null.</summary>
    public int? IgnoreLabel { get; }

    /// <summary>Adds one mask pair (same length, class ids per pixel).</summary>
    /// <exception cref="ArgumentException">Lengths differ or a value is outside 0..NumberOfClasses−1.</exception>
    public void Add(ReadOnlySpan<int> truth, ReadOnlySpan<int> predicted)
    {
        if (truth.Length != predicted.Length)
            throw new ArgumentException($"The predicted mask has {predicted.Length} pixels, the true mask {truth.Length}.", nameof(predicted));
        int k = NumberOfClasses;
        int ignore = IgnoreLabel ?? int.MinValue;
        for (int i = 0; i < truth.Length; i++)
        {
            int t = truth[i];
            if (t == ignore) continue;
            int p = predicted[i];
            if ((uint)t >= (uint)k) throw new ArgumentException($"True mask pixel {i} has class {t}, outside 0..{k - 1}.", nameof(truth));
            if ((uint)p >= (uint)k) throw new ArgumentException($"Predicted mask pixel {i} has class {p}, outside 0..{k - 1}.", nameof(predicted));
            _confusion[t, p]++;
        }
    }

    /// <summary>The metrics of everything added so far.</summary>
    /// <param name="classNames">Optional names by class id.</param>
    public SegmentationMetrics GetMetrics(IReadOnlyList<string>? classNames = null) => new((long[,])_confusion.Clone(), classNames);
}
