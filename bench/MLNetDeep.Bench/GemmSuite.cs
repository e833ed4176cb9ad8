using System.Diagnostics;
using System.Globalization;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Kernels;

namespace MLNetDeep.Bench;

/// <summary>`gemm`: n×n fp32 matrix multiply, ours vs numpy+OpenBLAS, 2 threads each; the summary line is for n = 1024.</summary>
public static unsafe class GemmSuite
{
    private static readonly int[] Sizes = [256, 512, 1024, 2048];
    private const int Threads = 2;

    public static int Run(string[] args)
    {
        Parallelism.NumThreads = Threads;
        var peer = Peer.Run("gemm_peer.py", string.Join(' ', Sizes), Threads, out var failure);
        if (peer == null) Console.WriteLine($"peer unavailable: {failure}");

        Console.WriteLine($"{"n",6} {"ours GFLOP/s",14} {"peer GFLOP/s",14} {"ratio",7}");
        double ours1024 = double.NaN, peer1024 = double.NaN;
        foreach (int n in Sizes)
        {
            double ours = Measure(n);
            double theirs = peer != null && peer.TryGetValue($"gflops_{n}", out var s) ? double.Parse(s, CultureInfo.InvariantCulture) : double.NaN;
            Console.WriteLine($"{n,6} {ours,14:F1} {theirs,14:F1} {ours / theirs,7:F2}");
            if (n == 1024) { ours1024 = ours; peer1024 = theirs; }
        }
        Console.WriteLine(FormattableString.Invariant($"gemm: ours={ours1024:F1} peer={peer1024:F1} ratio={ours1024 / peer1024:F2}"));
        return 0;
    }

    /// <summary>Median GFLOP/s over repeated timings (at least 7 runs and 1.5 s) after a warm-up.</summary>
    private static double Measure(int n)
    {
        var g = new Generator(1);
        var a = new float[n * n];
        var b = new float[n * n];
        var c = new float[n * n];
        for (int i = 0; i < a.Length; i++) { a[i] = (float)g.NextNormal(); b[i] = (float)g.NextNormal(); }
        var rates = new List<double>();
        fixed (float* pa = a, pb = b, pc = c)
        {
            for (int w = 0; w < 3; w++) Gemm.Sgemm(false, false, n, n, n, 1f, pa, n, pb, n, 0f, pc, n);
            var total = Stopwatch.StartNew();
            while (rates.Count < 7 || total.Elapsed.TotalSeconds < 1.5)
            {
                var sw = Stopwatch.StartNew();
                Gemm.Sgemm(false, false, n, n, n, 1f, pa, n, pb, n, 0f, pc, n);
                rates.Add(2.0 * n * n * n / sw.Elapsed.TotalSeconds / 1e9);
                if (rates.Count >= 200) break;
            }
        }
        return Peer.Median(rates);
    }
}
