using System.Reflection;

namespace MLNetDeep.OnnxExport;

/// <summary>
/// Model-level metadata written into an exported file: producer (always <c>"MLNetDeep"</c>) and its
/// version, model version, description, domain and free-form <c>metadata_props</c>.
/// </summary>
public sealed class OnnxModelInfo
{
    /// <summary>The producer name every exported model carries.</summary>
    public const string ProducerName = "MLNetDeep";

    /// <summary>Producer version; defaults to this assembly's informational version.</summary>
    public string ProducerVersion { get; set; } = DefaultProducerVersion;

    /// <summary>Version of the model itself (ONNX <c>model_version</c>), default 1.</summary>
    public long ModelVersion { get; set; } = 1;

    /// <summary>Human-readable description of the model, or null.</summary>
    public string? DocString { get; set; }

    /// <summary>Reverse-DNS model namespace (ONNX <c>domain</c>), or null.</summary>
    public string? Domain { get; set; }

    /// <summary>Free-form key → value pairs (ONNX <c>metadata_props</c>); keys must be non-empty.</summary>
    public IDictionary<string, string> MetadataProps { get; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The version string of the MLNetDeep.OnnxExport assembly.</summary>
    public static string DefaultProducerVersion { get; } =
        typeof(OnnxModelInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(OnnxModelInfo).Assembly.GetName().Version?.ToString() ?? "0.0.0";
}
