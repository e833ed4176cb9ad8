using System.Globalization;
using System.Security;
using System.Text;

namespace MLNetDeep.Estimators.Compression;

/// <summary>One metric of a comparison report: its title, unit and how to read it from a row (null: not available).</summary>
/// <param name="Key">File-name key (<c>accuracy</c>, <c>latency</c>…).</param>
/// <param name="Title">Chart title.</param>
/// <param name="Format">Formats a value for the chart label.</param>
/// <param name="Value">The value of a row, or null.</param>
public sealed record ComparisonMetric(string Key, string Title, Func<double, string> Format, Func<ModelMeasurement, double?> Value);

/// <summary>
/// Renders <see cref="ModelMeasurement"/> rows as a markdown table and one hand-written SVG horizontal bar chart per
/// metric (accuracy, non-zero parameters, model file size, ONNX file size, latency per example); see <see cref="Write"/>.
/// </summary>
public static class ComparisonReport
{
    /// <summary>The charted metrics, in report order.</summary>
    public static IReadOnlyList<ComparisonMetric> Metrics { get; } =
    [
        new("accuracy", "Test accuracy (%)", v => Invariant($"{v:F2}%"), m => m.Accuracy * 100),
        new("nonzero", "Non-zero parameters", v => Invariant($"{v:N0}"), m => m.NonZeroParameters),
        new("model-size", "Model file (KiB)", v => Invariant($"{v:F1} KiB"), m => m.ModelFileBytes / 1024.0),
        new("onnx-size", "ONNX file (KiB)", v => Invariant($"{v:F1} KiB"), m => m.OnnxFileBytes / 1024.0),
        new("latency", "Latency (ms per example, our engine)", v => Invariant($"{v:F3} ms"), m => m.MillisecondsPerExample),
    ];

    /// <summary>The markdown table (one row per model); charts are referenced when <paramref name="chartFiles"/> is given.</summary>
    /// <param name="rows">The measured models.</param>
    /// <param name="chartFiles">Metric key → chart file name relative to the markdown file, or null.</param>
    public static string Markdown(IReadOnlyList<ModelMeasurement> rows, IReadOnlyDictionary<string, string>? chartFiles = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var sb = new StringBuilder("# Model comparison\n\n");
        sb.Append("| model | accuracy | parameters | non-zero parameters | model file | ONNX file | batch | latency ms/batch | latency ms/example |\n");
        sb.Append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (var r in rows)
            sb.Append(Invariant($"| {r.Name.Replace("|", "\\|", StringComparison.Ordinal)} | {r.Accuracy * 100:F2}% | {r.Parameters:N0} | {r.NonZeroParameters:N0} ({(1 - r.Sparsity) * 100:F1}%) | {Bytes(r.ModelFileBytes)} | {Bytes(r.OnnxFileBytes)} | {r.BatchSize} | {r.MillisecondsPerBatch:F2} | {r.MillisecondsPerExample:F3} |\n"));
        sb.Append("\nParameters: stored weight elements (batch-norm running statistics excluded). Latency: median of timed forward passes of one batch in our engine.\n");
        if (chartFiles is not null)
        {
            sb.Append('\n');
            foreach (var metric in Metrics)
                if (chartFiles.TryGetValue(metric.Key, out var file)) sb.Append(Invariant($"![{metric.Title}]({file})\n\n"));
        }
        return sb.ToString();
    }

    /// <summary>An SVG horizontal bar chart of <paramref name="metric"/>, one bar per row (rows without a value are labelled n/a).</summary>
    public static string BarChart(IReadOnlyList<ModelMeasurement> rows, ComparisonMetric metric)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(metric);
        const int width = 720, labelWidth = 220, valueWidth = 110, barHeight = 22, gap = 8, top = 40;
        int height = top + rows.Count * (barHeight + gap) + 10;
        double max = rows.Select(metric.Value).Where(v => v is > 0).Select(v => v!.Value).DefaultIfEmpty(1).Max();
        double span = width - labelWidth - valueWidth - 20;
        var sb = new StringBuilder();
        sb.Append(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"13\">\n"));
        sb.Append(Invariant($"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>\n"));
        sb.Append(Invariant($"<text x=\"10\" y=\"24\" font-size=\"16\" font-weight=\"bold\">{Escape(metric.Title)}</text>\n"));
        for (int i = 0; i < rows.Count; i++)
        {
            int y = top + i * (barHeight + gap);
            double? value = metric.Value(rows[i]);
            double w = value is > 0 ? Math.Max(1, value.Value / max * span) : 0;
            sb.Append(Invariant($"<text x=\"{labelWidth - 8}\" y=\"{y + 16}\" text-anchor=\"end\">{Escape(rows[i].Name)}</text>\n"));
            sb.Append(Invariant($"<rect x=\"{labelWidth}\" y=\"{y}\" width=\"{w:F1}\" height=\"{barHeight}\" fill=\"{Palette[i % Palette.Length]}\"/>\n"));
            sb.Append(Invariant($"<text x=\"{labelWidth + w + 6:F1}\" y=\"{y + 16}\">{Escape(value is double v ? metric.Format(v) : "n/a")}</text>\n"));
        }
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    /// <summary>
    /// Writes the markdown report to <paramref name="markdownPath"/> and one chart per metric beside it
    /// (<c>NAME-METRIC.svg</c>), each atomically; returns the chart paths.
    /// </summary>
    public static IReadOnlyList<string> Write(IReadOnlyList<ModelMeasurement> rows, string markdownPath)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentException.ThrowIfNullOrEmpty(markdownPath);
        string full = Path.GetFullPath(markdownPath);
        string dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        string stem = Path.GetFileNameWithoutExtension(full);
        var files = new Dictionary<string, string>();
        var written = new List<string>();
        foreach (var metric in Metrics)
        {
            string name = $"{stem}-{metric.Key}.svg";
            WriteAtomically(Path.Combine(dir, name), BarChart(rows, metric));
            files[metric.Key] = name;
            written.Add(Path.Combine(dir, name));
        }
        WriteAtomically(full, Markdown(rows, files));
        return written;
    }

    private static readonly string[] Palette = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7"];

    private static string Bytes(long? bytes) => bytes is long b ? Invariant($"{b / 1024.0:F1} KiB") : "n/a";

    private static string Escape(string text) => SecurityElement.Escape(text) ?? "";

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static void WriteAtomically(string path, string text)
    {
        string temp = path + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }
}
