using MLNetDeep.Data;

namespace MLNetDeep.Estimators.Sequence;

/// <summary>Multiclass metrics of a sequence classifier.</summary>
/// <param name="Accuracy">Fraction of rows predicted right.</param>
/// <param name="MacroF1">Unweighted mean over classes of F1 = 2PR/(P+R) (classes neither present nor predicted are skipped).</param>
/// <param name="ConfusionMatrix">[truth][predicted] row counts, zero-based class indices (key − 1).</param>
/// <param name="Rows">Rows with a label.</param>
public sealed record SequenceClassificationMetrics(double Accuracy, double MacroF1, long[][] ConfusionMatrix, long Rows)
{
    internal static SequenceClassificationMetrics Compute(IDataView scored, string labelColumn, string predictedColumn, int classes)
    {
        var label = Text.TokenColumns.Label(scored.Schema, labelColumn, "SequenceClassifier");
        var predicted = scored.Schema[predictedColumn];
        var confusion = new long[classes][];
        for (int i = 0; i < classes; i++) confusion[i] = new long[classes];
        long rows = 0, right = 0;
        using var cursor = scored.GetRowCursor([label, predicted]);
        while (cursor.MoveNext())
        {
            uint y = cursor.GetValue<uint>(label), p = cursor.GetValue<uint>(predicted);
            if (y == 0) continue;
            if (y > classes) throw new ArgumentException($"Column '{labelColumn}': key {y} is outside the model's {classes} classes.", nameof(scored));
            confusion[y - 1][p - 1]++;
            rows++;
            if (y == p) right++;
        }
        return new SequenceClassificationMetrics(rows == 0 ? 0 : (double)right / rows, MacroF1Of(confusion), confusion, rows);
    }

    /// <summary>Macro-F1 of a confusion matrix; classes absent from both truth and predictions are skipped.</summary>
    public static double MacroF1Of(long[][] confusion)
    {
        ArgumentNullException.ThrowIfNull(confusion);
        int k = confusion.Length, counted = 0;
        double sum = 0;
        for (int c = 0; c < k; c++)
        {
            long tp = confusion[c][c], truth = confusion[c].Sum(), predicted = 0;
            for (int r = 0; r < k; r++) predicted += confusion[r][c];
            if (truth == 0 && predicted == 0) continue;
            counted++;
            sum += truth + predicted == 0 ? 0 : 2.0 * tp / (truth + predicted);
        }
        return counted == 0 ? 0 : sum / counted;
    }
}
