namespace MLNetDeep.Onnx;

/// <summary>Base class of every error the managed ONNX runtime raises.</summary>
public class OnnxException : Exception
{
    /// <summary>Creates the exception.</summary>
    public OnnxException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>
/// The model file is malformed, unsupported, or breaks a rule of the format (unknown operator,
/// undefined input, wrong attribute type, …). <see cref="Location"/> names the node, tensor or field.
/// </summary>
public class OnnxModelException : OnnxException
{
    /// <summary>The node, tensor or field the problem was found in (e.g. "node 'conv1' (Conv)", "initializer 'w'").</summary>
    public string Location { get; }

    /// <summary>Creates the exception.</summary>
    public OnnxModelException(string location, string message, Exception? inner = null)
        : base($"{location}: {message}", inner) => Location = location;
}

/// <summary>The model exceeds a limit of <see cref="OnnxLoadOptions"/> (checked before anything is allocated for it).</summary>
public sealed class OnnxLimitException : OnnxModelException
{
    /// <summary>Creates the exception.</summary>
    public OnnxLimitException(string location, string message) : base(location, message) { }
}

/// <summary>Running a model failed: missing or ill-typed inputs, or shapes an operator cannot accept.</summary>
public sealed class OnnxExecutionException : OnnxException
{
    /// <summary>The node or input the problem was found at.</summary>
    public string Location { get; }

    /// <summary>Creates the exception.</summary>
    public OnnxExecutionException(string location, string message, Exception? inner = null)
        : base($"{location}: {message}", inner) => Location = location;
}
