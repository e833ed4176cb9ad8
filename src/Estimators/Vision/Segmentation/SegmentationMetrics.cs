using System.Globalization;
using System.Text;

namespace MLNetDeep.Estimators.Vision.Segmentation;

/// <summary>
/// Semantic-segmentation quality from the pixel confusion matrix C (rows: true class, columns: predicted class):
/// pixel accuracy = trace(C)/ΣC; IoU of class k = C[k,k] / (row_k + column_k − C[k,k]); mean IoU over the classes
/// that occur in the truth or the prediction (the others have no IoU: NaN in <see cref="PerClassIou"/>).
/// </summary>
public sealed class SegmentationMetrics
{
    internal SegmentationMetrics(long[,] confusion, IReadOnlyList<string>? classNames)
    {
        int k = confusion.GetLength(0);
        ConfusionMatrix = confusion;
        long total = 0, correct = 0;
        var iou = new double[k];
        var accuracy = new double[k];
        for (int c = 0; c < k; c++)
        {
            long row = 0, col = 0;
            for (int j = 0; j < k; j++)
            {
                row += confusion[c, j];
                col += confusion[j, c];
            }
            total += row;
            correct += confusion[c, c];
            long union = row + col - confusion[c, c];
            iou[c] = union > 0 ? (double)confusion[c, c] / union : double.NaN;
            accuracy[c] = row > 0 ? (double)confusion[c, c] / row : double.NaN;
        }
        PixelCount = total;
        PixelAccuracy = total > 0 ? (double)correct / total : double.NaN;
        PerClassIou = iou;
        PerClassAccuracy = accuracy;
        var valid = iou.Where(v => !double.IsNaN(v)).ToArray();
        MeanIou = valid.Length > 0 ? valid.Average() : double.NaN;
        var validAccuracy = accuracy.Where(v => !double.IsNaN(v)).ToArray();
        MeanClassAccuracy = validAccuracy.Length > 0 ? validAccuracy.Average() : double.NaN;
        ClassNames = classNames ?? Enumerable.Range(0, k).Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>Fraction of pixels whose predicted class is the true class.</summary>
    public double PixelAccuracy { get; }

    /// <summary>Mean of <see cref="PerClassIou"/> over the classes present in truth or prediction.</summary>
    public double MeanIou { get; }

    /// <summary>Mean over classes present in the truth of the per-class recall (pixel accuracy per class).</summary>
    public double MeanClassAccuracy { get; }

    /// <summary>IoU per class id (NaN for a class absent from truth and prediction).</summary>
    public IReadOnlyList<double> PerClassIou { get; }

    /// <summary>Recall per class id (NaN for a class absent from the truth).</summary>
    public IReadOnlyList<double> PerClassAccuracy { get; }

    /// <summary>Pixel counts: [true class, predicted class].</summary>
    public long[,] ConfusionMatrix { get; }

    /// <summary>Number of pixels counted.</summary>
    public long PixelCount { get; }

    /// <summary>Class names by id (id 0 is usually the background).</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The means, then the IoU of each class.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"mIoU = {MeanIou:F4}, pixel accuracy = {PixelAccuracy:F4}, mean class accuracy = {MeanClassAccuracy:F4} over {PixelCount} pixels\n");
        for (int c = 0; c < PerClassIou.Count; c++)
            sb.Append(CultureInfo.InvariantCulture, $"  {(c < ClassNames.Count ? ClassNames[c] : c.ToString(CultureInfo.InvariantCulture)),-14} IoU={PerClassIou[c]:F4}\n");
        return sb.ToString();
    }
}
