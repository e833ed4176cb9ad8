namespace MLNetDeep.Tests.Oracles;

/// <summary>A failed oracle request: the Python error (with traceback), a crash, a timeout or a protocol error.</summary>
public class OracleException : Exception
{
    public OracleException(string message, string? pythonError = null, string? stderr = null, Exception? inner = null)
        : base(Compose(message, stderr), inner)
    {
        PythonError = pythonError;
        Stderr = stderr;
    }

    /// <summary>The "error" text of an ok=false response (message and traceback), or null for crashes/timeouts.</summary>
    public string? PythonError { get; }

    /// <summary>What the Python process wrote on stderr while handling the request (may be empty).</summary>
    public string? Stderr { get; }

    private static string Compose(string message, string? stderr) =>
        string.IsNullOrWhiteSpace(stderr) ? message : message + "\n--- python stderr ---\n" + stderr.TrimEnd();
}

/// <summary>The oracle process could not be started (no python, no torch, script missing).</summary>
public sealed class OracleUnavailableException : OracleException
{
    public OracleUnavailableException(string reason, Exception? inner = null) : base(reason, inner: inner)
    {
        Reason = reason;
    }

    /// <summary>Why the oracle is unavailable, one short human-readable text.</summary>
    public string Reason { get; }
}
