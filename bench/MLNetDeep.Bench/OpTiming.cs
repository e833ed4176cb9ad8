using System.Diagnostics;
using MLNetDeep.Tensors;

namespace MLNetDeep.Bench;

/// <summary>
/// The single-op profile of the `--profile` flags: forward and backward time of one op at given shapes, as process CPU
/// time (all threads), which a loaded machine inflates far less than wall time.
/// </summary>
public static class OpTiming
{
    /// <summary>Timed runs per op (after one untimed run).</summary>
    public static int Repeats { get; set; } = 5;

    /// <summary>Runs <paramref name="f"/> on <paramref name="inputs"/> (as leaves) and a backward of ones Repeats + 1 times; prints the mean of the last Repeats.</summary>
    public static void Time(string name, Func<Tensor[], Tensor> f, params Tensor[] inputs)
    {
        var leaves = inputs.Select(t => t.RequiresGrad_()).ToArray();
        double fw = 0, bw = 0;
        for (int i = 0; i < Repeats + 1; i++)
        {
            var t0 = CpuMilliseconds();
            var outp = f(leaves);
            var seed = Tensor.OnesLike(outp);
            var t1 = CpuMilliseconds();
            outp.Backward(seed);
            var t2 = CpuMilliseconds();
            foreach (var l in leaves) l.Grad = null;
            if (i == 0) continue;
            fw += t1 - t0;
            bw += t2 - t1;
        }
        Console.WriteLine(FormattableString.Invariant($"  {name,-28} forward {fw / Repeats,7:F2} cpu-ms  backward {bw / Repeats,7:F2} cpu-ms"));
    }

    private static double CpuMilliseconds()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime.TotalMilliseconds;
    }
}
