using System.Diagnostics;
using System.Globalization;

namespace MLNetDeep.Bench;

/// <summary>
/// The timing and reporting shared by the training-step suites: the peer's steps/s, warm-up then blocks of
/// steps (one rate per block, median reported), and the final `SUITE: ours= peer= ratio=` line.
/// </summary>
public static class StepTiming
{
    /// <summary>Runs the peer script and returns its `steps_per_s`, or NaN after printing why it is unavailable.</summary>
    public static double PeerStepsPerSecond(string script, string arguments, int threads)
    {
        var peer = Peer.Run(script, arguments, threads, out var failure);
        if (peer == null) Console.WriteLine($"peer unavailable: {failure}");
        return peer != null && peer.TryGetValue("steps_per_s", out var s) ? double.Parse(s, CultureInfo.InvariantCulture) : double.NaN;
    }

    /// <summary>Runs <paramref name="step"/> <paramref name="warmup"/> times, then <paramref name="blocks"/> timed blocks; steps/s per block.</summary>
    public static List<double> Measure(Action step, int warmup, int blocks, int stepsPerBlock)
    {
        for (int i = 0; i < warmup; i++) step();
        var rates = new List<double>();
        for (int b = 0; b < blocks; b++)
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < stepsPerBlock; i++) step();
            rates.Add(stepsPerBlock / sw.Elapsed.TotalSeconds);
        }
        return rates;
    }

    /// <summary>Prints the per-block rates and the suite's last line; <paramref name="valueFormat"/> formats ours and peer, the ratio is F2.</summary>
    public static void Report(string suite, List<double> rates, double theirs, string rateFormat = "F1", string valueFormat = "F2")
    {
        var inv = CultureInfo.InvariantCulture;
        double ours = Peer.Median(rates);
        Console.WriteLine($"per-block steps/s, ours: {string.Join(", ", rates.Select(r => r.ToString(rateFormat, inv)))}");
        Console.WriteLine($"{suite}: ours={ours.ToString(valueFormat, inv)} peer={theirs.ToString(valueFormat, inv)} ratio={(ours / theirs).ToString("F2", inv)}");
    }
}
