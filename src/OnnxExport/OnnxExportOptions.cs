namespace MLNetDeep.OnnxExport;

/// <summary>Settings of <see cref="OnnxExporter"/>.</summary>
public sealed class OnnxExportOptions
{
    /// <summary>Default-domain opset (13–17, default 17 → IR version 8).</summary>
    public int OpsetVersion { get; set; } = OnnxOpsets.Default;

    /// <summary>Names of the graph outputs, in the order the model returns them (default <c>["output"]</c>).</summary>
    public IList<string> OutputNames { get; set; } = ["output"];

    /// <summary>Doc strings of the graph outputs, by output name.</summary>
    public IDictionary<string, string> OutputDocs { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Name of the graph (default <c>"mlnetdeep_graph"</c>).</summary>
    public string GraphName { get; set; } = "mlnetdeep_graph";

    /// <summary>Model metadata (producer version, model version, doc string, metadata_props).</summary>
    public OnnxModelInfo ModelInfo { get; set; } = new();

    /// <summary>Exporters to use (default <see cref="OnnxExportRegistry.Default"/>).</summary>
    public OnnxExportRegistry? Registry { get; set; }

    /// <summary>
    /// Whether the self-attention of exported Transformer decoder layers masks future positions (their
    /// forward pass's <c>tgtIsCausal</c>); default false, as the modules' default.
    /// </summary>
    public bool DecoderSelfAttentionIsCausal { get; set; }

    /// <summary>Seed of the random tracing inputs.</summary>
    public ulong Seed { get; set; } = 1234;
}
