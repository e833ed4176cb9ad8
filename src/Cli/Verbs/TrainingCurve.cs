using System.Globalization;
using System.Text;
using MLNetDeep.Estimators.Translation;

namespace MLNetDeep.Cli.Verbs;

/// <summary>The per-epoch training history as an SVG line chart (train and validation loss on the left axis, validation BLEU on the right).</summary>
internal static class TrainingCurve
{
    private const int Width = 640, Height = 360, Margin = 50;

    public static void Write(string path, IReadOnlyList<Seq2SeqEpoch> history)
    {
        string svg = Svg(history);
        string text = path.EndsWith(".html", StringComparison.OrdinalIgnoreCase)
            ? $"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>training curve</title></head><body>{svg}</body></html>"
            : svg;
        string temp = path + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }

    public static string Svg(IReadOnlyList<Seq2SeqEpoch> history)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" font-family=\"sans-serif\" font-size=\"12\">");
        sb.Append(inv, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>");
        sb.Append(inv, $"<line x1=\"{Margin}\" y1=\"{Height - Margin}\" x2=\"{Width - Margin}\" y2=\"{Height - Margin}\" stroke=\"black\"/>");
        sb.Append(inv, $"<line x1=\"{Margin}\" y1=\"{Margin}\" x2=\"{Margin}\" y2=\"{Height - Margin}\" stroke=\"black\"/>");
        var losses = history.Select(h => h.TrainLoss).Concat(history.Where(h => h.ValidationLoss is not null).Select(h => h.ValidationLoss!.Value)).ToList();
        double maxLoss = losses.Count > 0 ? losses.Max() : 1;
        double maxBleu = Math.Max(1, history.Where(h => h.ValidationBleu is not null).Select(h => h.ValidationBleu!.Value).DefaultIfEmpty(1).Max());
        double X(int epoch) => Margin + (history.Count <= 1 ? 0 : (epoch - 1) * (Width - 2.0 * Margin) / (history.Count - 1));
        double Y(double v, double max) => Height - Margin - v / max * (Height - 2.0 * Margin);
        void Line(string color, string label, int row, Func<Seq2SeqEpoch, double?> value, double max)
        {
            var points = history.Where(h => value(h) is not null).Select(h => FormattableString.Invariant($"{X(h.Epoch):F1},{Y(value(h)!.Value, max):F1}")).ToList();
            if (points.Count == 0) return;
            sb.Append(inv, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{string.Join(' ', points)}\"/>");
            sb.Append(inv, $"<text x=\"{Width - Margin - 150}\" y=\"{Margin + 16 * row}\" fill=\"{color}\">{label}</text>");
        }
        Line("#1f77b4", FormattableString.Invariant($"train loss (max {maxLoss:F2})"), 0, h => h.TrainLoss, maxLoss);
        Line("#ff7f0e", "validation loss", 1, h => h.ValidationLoss, maxLoss);
        Line("#2ca02c", FormattableString.Invariant($"validation BLEU (max {maxBleu:F1})"), 2, h => h.ValidationBleu, maxBleu);
        sb.Append(inv, $"<text x=\"{Width / 2}\" y=\"{Height - 15}\">epoch 1–{history.Count}</text>");
        sb.Append("</svg>");
        return sb.ToString();
    }
}
