using System.Diagnostics;

namespace MLNetDeep.Bench;

/// <summary>Runs a peer script under the reference interpreter (/usr/bin/python3) and collects its `key=value` lines.</summary>
public static class Peer
{
    public const string Python = "/usr/bin/python3";

    public static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "MLNetDeep.sln"))) return d.FullName;
        for (var d = new DirectoryInfo(Directory.GetCurrentDirectory()); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "MLNetDeep.sln"))) return d.FullName;
        throw new DirectoryNotFoundException("MLNetDeep.sln not found above the benchmark's directory.");
    }

    /// <summary>Runs tools/oracles/<paramref name="script"/>; returns the key=value pairs it printed, or null with a reason.</summary>
    /// <param name="script">The script's file name.</param>
    /// <param name="arguments">Its command line.</param>
    /// <param name="threads">Threads for OpenBLAS, OpenMP and MKL.</param>
    /// <param name="failure">Why no result came back.</param>
    /// <param name="environment">Further environment variables for the script (e.g. OMP_WAIT_POLICY).</param>
    public static Dictionary<string, string>? Run(string script, string arguments, int threads, out string? failure, IReadOnlyDictionary<string, string>? environment = null)
    {
        failure = null;
        if (!File.Exists(Python)) { failure = $"{Python} not found"; return null; }
        var psi = new ProcessStartInfo(Python, $"{Path.Combine(RepoRoot(), "tools", "oracles", script)} {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var v in new[] { "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS" }) psi.Environment[v] = threads.ToString();
        if (environment != null) foreach (var (k, v) in environment) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) { failure = $"{script} exited {p.ExitCode}: {stderr.Result.Trim()}"; return null; }
        var result = new Dictionary<string, string>();
        foreach (var line in stdout.Split('\n'))
        {
            int eq = line.IndexOf('=');
            if (eq > 0) result[line[..eq].Trim()] = line[(eq + 1)..].Trim();
        }
        return result;
    }

    public static double Median(List<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }
}
