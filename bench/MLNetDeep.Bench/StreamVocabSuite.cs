using System.Diagnostics;
using System.Globalization;
using System.Text;
using MLNetDeep.Conversion;

namespace MLNetDeep.Bench;

/// <summary>
/// `stream-vocab`: generates a seeded text corpus (default 1 GiB, Zipf-distributed words), streams it
/// through line loading + word tokenization + lower-casing + vocabulary building, and reports the
/// process's peak working set. The "peer" is the memory budget (500 MB): ratio = 500 / peak.
/// Options: --size-mb N (default 1024), --path FILE (default in the temp folder), --keep (keep the file).
/// </summary>
public static class StreamVocabSuite
{
    private const double BudgetMb = 500;

    public static int Run(string[] args)
    {
        long sizeMb = 1024;
        string path = Path.Combine(Path.GetTempPath(), "mlnetdeep-stream-vocab.txt");
        bool keep = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--size-mb": sizeMb = long.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--path": path = args[++i]; break;
                case "--keep": keep = true; break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }
        try
        {
            var gen = Stopwatch.StartNew();
            long bytes = Generate(path, sizeMb << 20, seed: 17);
            Console.WriteLine($"generated {bytes / 1e6:F0} MB at {path} in {gen.Elapsed.TotalSeconds:F1} s");

            using var proc = Process.GetCurrentProcess();
            var clock = Stopwatch.StartNew();
            var ctx = new DeepContext(seed: 1);
            var lines = ctx.Data.LoadFromTextLines(path);
            var model = ctx.Transforms.Text.TokenizeIntoWords("Words", "Text")
                .Append(ctx.Transforms.Text.NormalizeText("Words"))
                .Append(ctx.Transforms.Conversion.MapValueToKey("Ids", "Words", new ValueToKeyMappingOptions { MaximumNumberOfKeys = 30_000, SpecialTokens = ["<pad>", "<s>", "</s>"], UnknownToken = "<unk>" }))
                .Fit(lines);
            double seconds = clock.Elapsed.TotalSeconds;
            var vocab = model.LastTransformer!.Vocabularies[0];
            proc.Refresh();
            double peakMb = proc.PeakWorkingSet64 / 1e6;
            Console.WriteLine($"vocabulary: {vocab.Count} keys (top: {string.Join(" ", vocab.Terms.Skip(4).Take(5))}); streamed {bytes / 1e6:F0} MB in {seconds:F1} s ({bytes / 1e6 / seconds:F1} MB/s)");
            Console.WriteLine($"peak working set {peakMb:F0} MB (budget {BudgetMb:F0} MB); GC heap now {GC.GetTotalMemory(false) / 1e6:F0} MB");
            Console.WriteLine(FormattableString.Invariant($"stream-vocab: ours={peakMb:F0} peer={BudgetMb:F0} ratio={BudgetMb / peakMb:F2}"));
            return peakMb < BudgetMb ? 0 : 1;
        }
        finally
        {
            if (!keep && File.Exists(path)) File.Delete(path);
        }
    }

    /// <summary>Writes lines of 5–30 words drawn from a Zipf(1.1) distribution over 100k made-up words.</summary>
    private static long Generate(string path, long targetBytes, int seed)
    {
        const int Vocabulary = 100_000;
        var rng = new Random(seed);
        var words = new string[Vocabulary];
        var letters = "abcdefghijklmnopqrstuvwxyz";
        for (int i = 0; i < Vocabulary; i++)
        {
            int len = 2 + rng.Next(8);
            var sb = new StringBuilder(len);
            for (int k = 0; k < len; k++) sb.Append(letters[rng.Next(letters.Length)]);
            if (rng.Next(10) == 0) sb[0] = char.ToUpperInvariant(sb[0]);
            words[i] = sb.ToString() + i.ToString(CultureInfo.InvariantCulture);
        }
        var cdf = new double[Vocabulary];
        double total = 0;
        for (int i = 0; i < Vocabulary; i++) cdf[i] = total += 1.0 / Math.Pow(i + 1, 1.1);
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        var line = new StringBuilder();
        long written = 0;
        while (written < targetBytes)
        {
            line.Clear();
            int n = 5 + rng.Next(26);
            for (int k = 0; k < n; k++)
            {
                int idx = Array.BinarySearch(cdf, rng.NextDouble() * total);
                if (idx < 0) idx = ~idx;
                if (k > 0) line.Append(' ');
                line.Append(words[Math.Min(idx, Vocabulary - 1)]);
            }
            w.WriteLine(line);
            written += line.Length + 1;
        }
        return written;
    }
}
