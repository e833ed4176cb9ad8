using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using NUnit.Framework;

namespace MLNetDeep.Tests.Onnx.Runtime;

/// <summary>
/// Runs tools/oracles/torchvision_export.py once into a cache directory keyed by the script's content
/// and arguments (a second test run reuses the files), and reads its manifest.
/// </summary>
internal static class TorchvisionExport
{
    public sealed record Case(int Batch, string Input, int[] InputShape, string Output, int[] OutputShape);

    public sealed record Model(string Name, string File, Case[] Cases);

    private static readonly object s_lock = new();
    private static readonly Dictionary<string, (string Dir, Dictionary<string, Model> Models)> s_cache = new();

    /// <summary>Exports (or reuses) the models; ignores/fails the test when Python, torchvision or the script is missing.</summary>
    public static (string Dir, Dictionary<string, Model> Models) Get(string models, int size, string batches)
    {
        lock (s_lock)
        {
            string key = $"{models}|{size}|{batches}";
            if (s_cache.TryGetValue(key, out var hit)) return hit;
            string root = FindRepoRoot() ?? Unavailable("repository root not found");
            string script = Path.Combine(root, "tools/oracles/torchvision_export.py");
            string python = Environment.GetEnvironmentVariable("MLNETDEEP_PYTHON") is { Length: > 0 } p ? p : "/usr/bin/python3";
            if (!File.Exists(script)) Unavailable($"{script} not found");
            if (!File.Exists(python)) Unavailable($"{python} not found");
            var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(File.ReadAllText(script) + key)))[..16];
            string dir = Path.Combine(Path.GetTempPath(), $"mlnetdeep-tvx-{hash}");
            string manifest = Path.Combine(dir, "manifest.json");
            if (!File.Exists(manifest))
            {
                string tmp = dir + "-" + Environment.ProcessId;
                var psi = new ProcessStartInfo(python)
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                };
                foreach (var a in new[] { script, "--out", tmp, "--models", models, "--size", size.ToString(), "--batches", batches })
                    psi.ArgumentList.Add(a);
                using var proc = Process.Start(psi) ?? Unavailable<Process>("could not start python");
                var stderr = proc.StandardError.ReadToEndAsync();
                var stdout = proc.StandardOutput.ReadToEndAsync();
                if (!proc.WaitForExit(TimeSpan.FromMinutes(5))) { proc.Kill(true); Assert.Fail("torchvision export timed out"); }
                if (proc.ExitCode != 0)
                {
                    string err = stderr.Result;
                    if (err.Contains("ModuleNotFoundError")) Unavailable("torch/torchvision not installed: " + err.Trim().Split('\n')[^1]);
                    Assert.Fail($"torchvision export failed ({proc.ExitCode}): {err}");
                }
                _ = stdout.Result;
                if (Directory.Exists(dir)) Directory.Delete(dir, true);
                Directory.Move(tmp, dir);
            }
            using var doc = JsonDocument.Parse(File.ReadAllText(manifest));
            var result = new Dictionary<string, Model>();
            foreach (var m in doc.RootElement.EnumerateObject())
            {
                var cases = m.Value.GetProperty("cases").EnumerateArray().Select(c => new Case(
                    c.GetProperty("batch").GetInt32(),
                    Path.Combine(dir, c.GetProperty("input").GetString()!),
                    c.GetProperty("input_shape").EnumerateArray().Select(v => v.GetInt32()).ToArray(),
                    Path.Combine(dir, c.GetProperty("output").GetString()!),
                    c.GetProperty("output_shape").EnumerateArray().Select(v => v.GetInt32()).ToArray())).ToArray();
                result[m.Name] = new Model(m.Name, Path.Combine(dir, m.Value.GetProperty("file").GetString()!), cases);
            }
            return s_cache[key] = (dir, result);
        }
    }

    public static float[] ReadF32(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var a = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, a, 0, a.Length * 4);
        return a;
    }

    private static string? FindRepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "MLNetDeep.sln"))) return d.FullName;
        return null;
    }

    private static T Unavailable<T>(string reason)
    {
        Unavailable(reason);
        return default!;
    }

    private static string Unavailable(string reason)
    {
        if (OnnxTestData.RequireOracles) Assert.Fail("torchvision oracle unavailable: " + reason);
        Assert.Ignore("torchvision oracle unavailable: " + reason);
        return "";
    }
}
