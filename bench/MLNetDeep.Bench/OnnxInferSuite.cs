using System.Diagnostics;
using System.Globalization;
using MLNetDeep.Onnx;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Kernels;

namespace MLNetDeep.Bench;

/// <summary>
/// `onnx-infer`: latency of torchvision mobilenet_v2 (random seeded weights, exported by
/// tools/oracles/torchvision_export.py, 224×224) at batch 1 and batch 16, our managed runtime vs
/// ONNX Runtime 1.30 (onnxruntime-node, same file), both with 2 threads. Each figure is the median
/// over repeats after the same warm-up on both sides (≥ 20 runs and ≥ 2 s per batch size); the summary line combines the two batch sizes by geometric mean of
/// the latencies (ms), and ratio = peer / ours (above 1: we are faster).
/// </summary>
public static class OnnxInferSuite
{
    private const int Threads = 2, Size = 224;
    // Both sides warm up the same way before timing: at least this many runs and this much time per batch
    // size (our JIT tiers hot methods up over the first hundreds of milliseconds of calls).
    private const int WarmupRuns = 20, WarmupMs = 2000;
    private static readonly int[] Batches = [1, 16];

    public static int Run(string[] args)
    {
        int repeats = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 21;
        Parallelism.NumThreads = Threads;
        string root = Peer.RepoRoot();
        string dir = Path.Combine(Path.GetTempPath(), "mlnetdeep-onnx-infer-bench");
        string model = Path.Combine(dir, "mobilenet_v2.onnx");
        if (!File.Exists(Path.Combine(dir, "manifest.json")))
        {
            var export = Peer.Run("torchvision_export.py", $"--out {dir} --models mobilenet_v2 --size {Size} --batches 1,16", Threads, out var why);
            if (export == null) { Console.WriteLine($"export failed: {why}"); return 1; }
        }

        bool noPeer = Environment.GetEnvironmentVariable("MLNETDEEP_ONNX_NO_PEER") == "1";
        string? failure = null;
        var peer = noPeer ? null : RunNode(Path.Combine(root, "tools", "oracles", "onnx_infer_peer.js"),
            $"{model} --threads {Threads} --batches {string.Join(",", Batches)} --size {Size} --repeats {repeats} --warmup-runs {WarmupRuns} --warmup-ms {WarmupMs}", out failure);
        if (peer == null && !noPeer) Console.WriteLine($"peer unavailable: {failure}");

        var session = new OnnxSession(model);
        var ours = new List<double>();
        var theirs = new List<double>();
        foreach (int b in Batches)
        {
            var x = Tensor.FromArray(ReadF32(Path.Combine(dir, $"mobilenet_v2_b{b}_input.f32")), b, 3, Size, Size);
            var expected = ReadF32(Path.Combine(dir, $"mobilenet_v2_b{b}_output.f32"));
            var feeds = new Dictionary<string, Tensor> { ["input"] = x };
            var y = session.Run(feeds)["output"].ToFloatArray();
            double maxErr = expected.Select((e, i) => Math.Abs(e - y[i])).Max();
            var warm = Stopwatch.StartNew();
            for (int i = 0; i < WarmupRuns || warm.ElapsedMilliseconds < WarmupMs; i++) session.Run(feeds);
            var times = new List<double>();
            for (int r = 0; r < repeats; r++)
            {
                var sw = Stopwatch.StartNew();
                session.Run(feeds);
                times.Add(sw.Elapsed.TotalMilliseconds);
            }
            double med = Peer.Median(times);
            if (Environment.GetEnvironmentVariable("MLNETDEEP_ONNX_PROFILE") == "1")
            {
                // Per operator type, the least time over a few profiled runs (robust on a loaded machine).
                var best = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
                session.EnableProfiling = true;
                for (int r = 0; r < 5; r++)
                {
                    session.ProfileByOp.Clear();
                    session.Run(feeds);
                    foreach (var (op, t) in session.ProfileByOp) best[op] = best.TryGetValue(op, out var old) && old < t ? old : t;
                }
                session.EnableProfiling = false;
                foreach (var (op, t) in best.OrderByDescending(kv => kv.Value))
                    Console.WriteLine(FormattableString.Invariant($"  batch {b} {op}: {t.TotalMilliseconds:F1} ms"));
                Console.WriteLine(FormattableString.Invariant($"  batch {b} total of per-op minima: {best.Values.Sum(t => t.TotalMilliseconds):F1} ms"));
            }
            double p = peer != null && peer.TryGetValue($"b{b}_ms", out var s) ? double.Parse(s, CultureInfo.InvariantCulture) : double.NaN;
            ours.Add(med);
            theirs.Add(p);
            Console.WriteLine(FormattableString.Invariant($"batch {b}: ours={med:F1} ms peer={p:F1} ms (max |ours - pytorch| = {maxErr:E2})"));
        }
        double go = Math.Sqrt(ours[0] * ours[1]), gp = Math.Sqrt(theirs[0] * theirs[1]);
        Console.WriteLine(FormattableString.Invariant($"onnx-infer: ours={go:F1} peer={gp:F1} ratio={gp / go:F2}"));
        return 0;
    }

    private static float[] ReadF32(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var a = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, a, 0, a.Length * 4);
        return a;
    }

    internal static Dictionary<string, string>? RunNode(string script, string arguments, out string? failure)
    {
        failure = null;
        var psi = new ProcessStartInfo("node", $"{script} {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(script)!,
        };
        try
        {
            using var p = Process.Start(psi)!;
            var stderr = p.StandardError.ReadToEndAsync();
            var stdout = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) { failure = $"node exited {p.ExitCode}: {stderr.Result.Trim()}"; return null; }
            return stdout.Split('\n').Where(l => l.Contains('=')).ToDictionary(l => l[..l.IndexOf('=')].Trim(), l => l[(l.IndexOf('=') + 1)..].Trim());
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            failure = e.Message;
            return null;
        }
    }
}
