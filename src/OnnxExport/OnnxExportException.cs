namespace MLNetDeep.OnnxExport;

/// <summary>
/// An ONNX graph or export could not be built: an unknown value, a duplicate name, an operator the
/// chosen opset lacks, a module without an exporter, bad metadata. <see cref="NodeName"/>,
/// <see cref="ValueName"/> and <see cref="ModulePath"/> name the offending element where there is one.
/// </summary>
public sealed class OnnxExportException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong (already naming the element).</param>
    /// <param name="nodeName">The node concerned, if any.</param>
    /// <param name="valueName">The value (input, output, initializer, intermediate) concerned, if any.</param>
    /// <param name="modulePath">The module path (e.g. <c>"0.fc1"</c>) being exported, if any.</param>
    /// <param name="inner">The underlying error.</param>
    public OnnxExportException(string message, string? nodeName = null, string? valueName = null, string? modulePath = null, Exception? inner = null)
        : base(message, inner)
    {
        NodeName = nodeName;
        ValueName = valueName;
        ModulePath = modulePath;
    }

    /// <summary>Name of the offending node, or null.</summary>
    public string? NodeName { get; }

    /// <summary>Name of the offending value, or null.</summary>
    public string? ValueName { get; }

    /// <summary>Qualified name of the module being exported (<c>""</c> for the root), or null.</summary>
    public string? ModulePath { get; }
}
