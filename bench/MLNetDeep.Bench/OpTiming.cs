using System.Diagnostics;
using MLNetDeep.Tensors;

namespace MLNetDeep.Bench;

/// <summary>The single-op profile of the `--profile` flags: forward and backward time of one op at given shapes.</summary>
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
            var t0 = Stopwatch.GetTimestamp();
            var outp = f(leaves);
            var seed = Tensor.OnesLike(outp);
            var t1 = Stopwatch.GetTimestamp();
            outp.Backward(seed);
            var t2 = Stopwatch.GetTimestamp();
            foreach (var l in leaves) l.Grad = null;
            if (i == 0) continue;
            fw += Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds;
            bw += Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds;
        }
        Console.WriteLine(FormattableString.Invariant($"  {name,-28} forward {fw / Repeats,7:F2} ms  backward {bw / Repeats,7:F2} ms"));
    }
}
