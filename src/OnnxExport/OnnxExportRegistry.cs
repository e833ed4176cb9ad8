using System.Collections.Concurrent;
using MLNetDeep.Tensors.Nn;

namespace MLNetDeep.OnnxExport;

/// <summary>
/// Writes one module into the graph: given the context (builder, options, tracing samples), the
/// module and the names of its input values, adds nodes and returns the names of its output values.
/// </summary>
/// <typeparam name="TModule">The module type handled.</typeparam>
/// <param name="context">Export state; <see cref="OnnxExportContext.Builder"/> adds nodes.</param>
/// <param name="module">The module to export.</param>
/// <param name="inputs">Names of the module's input values.</param>
/// <returns>Names of the module's output values.</returns>
public delegate IReadOnlyList<string> OnnxModuleExporter<in TModule>(OnnxExportContext context, TModule module, IReadOnlyList<string> inputs)
    where TModule : Module;

/// <summary>
/// Module type → exporter. <see cref="Default"/> holds the built-in layers; new layers register
/// theirs (<c>OnnxExportRegistry.Default.Register&lt;MyLayer&gt;((ctx, m, inputs) =&gt; …)</c>). Lookup
/// tries the module's exact type, then its base types. Thread-safe.
/// </summary>
public sealed class OnnxExportRegistry
{
    private readonly ConcurrentDictionary<Type, OnnxModuleExporter<Module>> _exporters = new();

    /// <summary>The registry used when the export options name none; pre-filled with the built-in exporters.</summary>
    public static OnnxExportRegistry Default { get; } = CreateWithBuiltIns();

    /// <summary>A new registry holding the built-in exporters (to extend without touching <see cref="Default"/>).</summary>
    public static OnnxExportRegistry CreateWithBuiltIns()
    {
        var r = new OnnxExportRegistry();
        Exporters.BuiltInExporters.RegisterAll(r);
        return r;
    }

    /// <summary>Registers (or replaces) the exporter of <typeparamref name="TModule"/>.</summary>
    /// <typeparam name="TModule">The module type.</typeparam>
    /// <param name="exporter">The exporter.</param>
    public OnnxExportRegistry Register<TModule>(OnnxModuleExporter<TModule> exporter) where TModule : Module
    {
        ArgumentNullException.ThrowIfNull(exporter);
        _exporters[typeof(TModule)] = (ctx, m, inputs) => exporter(ctx, (TModule)m, inputs);
        return this;
    }

    /// <summary>Whether a module of <paramref name="moduleType"/> can be exported.</summary>
    /// <param name="moduleType">A module type.</param>
    public bool CanExport(Type moduleType) => Find(moduleType) is not null;

    /// <summary>The module types with a registered exporter.</summary>
    public IReadOnlyCollection<Type> RegisteredTypes => _exporters.Keys.ToArray();

    internal OnnxModuleExporter<Module>? Find(Type moduleType)
    {
        for (var t = moduleType; t is not null && t != typeof(object); t = t.BaseType)
            if (_exporters.TryGetValue(t, out var e)) return e;
        return null;
    }
}
