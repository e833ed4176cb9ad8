namespace MLNetDeep.OnnxExport.Exporters;

/// <summary>Registers every built-in exporter in a registry.</summary>
internal static class BuiltInExporters
{
    public static void RegisterAll(OnnxExportRegistry registry)
    {
        CoreExporters.Register(registry);
        ActivationExporters.Register(registry);
        RecurrentExporters.Register(registry);
        NormalizationExporters.Register(registry);
        AttentionExporters.Register(registry);
        VisionExporters.Register(registry);
        QuantizedExporters.Register(registry);
        Seq2SeqAttentionExporters.Register(registry);
    }
}
