using System.Diagnostics;
using System.Text;
using NUnit.Framework;

namespace MLNetDeep.Tests.Oracles;

/// <summary>
/// The process plumbing shared by the line-protocol oracles (<see cref="TorchOracle"/>, <see cref="JsonLineOracle"/>):
/// starting the program with redirected UTF-8 streams, one request line with a time limit, stopping and killing,
/// and the ignore/require policy for an oracle that cannot run.
/// </summary>
public static class OracleProcess
{
    /// <summary>Starts <paramref name="program"/>; its stderr lines go to <paramref name="stderr"/>.</summary>
    /// <exception cref="OracleUnavailableException">The program cannot be started.</exception>
    public static Process Start(string program, IEnumerable<string> arguments, string workingDirectory,
        IEnumerable<KeyValuePair<string, string>> environment, OracleStderr stderr)
    {
        var psi = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = new UTF8Encoding(false),
            StandardErrorEncoding = new UTF8Encoding(false),
            WorkingDirectory = workingDirectory,
            CreateNoWindow = true,
        };
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        Process process;
        try
        {
            process = new Process { StartInfo = psi };
            process.ErrorDataReceived += (_, e) => stderr.Append(e.Data);
            if (!process.Start()) throw new OracleUnavailableException($"could not start {program}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new OracleUnavailableException($"could not start {program}: {e.Message}", e);
        }
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>
    /// Writes <paramref name="json"/> as one line and reads one line back; false when none came within
    /// <paramref name="timeout"/>. <paramref name="line"/> is null when the process closed its output.
    /// I/O failures propagate (IOException, AggregateException, ObjectDisposedException, InvalidOperationException).
    /// </summary>
    public static bool TryExchangeLine(Process process, string json, TimeSpan timeout, out string? line)
    {
        process.StandardInput.WriteLine(json);
        process.StandardInput.Flush();
        var read = process.StandardOutput.ReadLineAsync();
        if (!read.Wait(timeout))
        {
            line = null;
            return false;
        }
        line = read.Result;
        return true;
    }

    /// <summary>Kills <paramref name="process"/> (with its children), waits briefly and disposes it.</summary>
    public static void Kill(Process? process)
    {
        if (process is null) return;
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit(2000);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
        }
        process.Dispose();
    }

    /// <summary>Closes stdin (the scripts exit their loop on EOF), waits up to 3 s, then kills what is left.</summary>
    public static void Stop(Process? process)
    {
        if (process is null) return;
        try
        {
            if (!process.HasExited)
            {
                process.StandardInput.Close();
                process.WaitForExit(3000);
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
        }
        Kill(process);
    }

    /// <summary>Ends the calling test/fixture: ignored, or failed with MLNETDEEP_REQUIRE_ORACLES=1.</summary>
    public static void FailOrIgnore(string oracle, string reason, string installHint)
    {
        if (Environment.GetEnvironmentVariable(TorchOracle.RequireEnvVar) == "1")
            Assert.Fail($"{oracle} required ({TorchOracle.RequireEnvVar}=1) but unavailable: {reason}");
        Assert.Ignore($"{oracle} unavailable: {reason}; {installHint}");
    }
}

/// <summary>The last <c>cap</c> characters an oracle process wrote to stderr, readable from a mark.</summary>
public sealed class OracleStderr(int cap)
{
    private readonly object _lock = new();
    private readonly StringBuilder _text = new();
    private long _dropped;

    /// <summary>Appends one line (null, the end of the stream, is ignored).</summary>
    public void Append(string? line)
    {
        if (line is null) return;
        lock (_lock)
        {
            _text.Append(line).Append('\n');
            if (_text.Length > cap)
            {
                int drop = _text.Length - cap;
                _text.Remove(0, drop);
                _dropped += drop;
            }
        }
    }

    /// <summary>A position in everything written so far.</summary>
    public long Mark()
    {
        lock (_lock) return _dropped + _text.Length;
    }

    /// <summary>What was written since <paramref name="mark"/> and is still buffered, after a short grace period.</summary>
    public string Since(long mark)
    {
        Thread.Sleep(20); // stderr is read asynchronously; let the last lines arrive
        lock (_lock)
        {
            long start = Math.Max(0, mark - _dropped);
            if (start >= _text.Length) return "";
            return _text.ToString((int)start, _text.Length - (int)start);
        }
    }
}
