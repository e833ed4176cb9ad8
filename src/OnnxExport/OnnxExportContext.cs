using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;

namespace MLNetDeep.OnnxExport;

/// <summary>
/// State of one export: the graph builder, the options, the module path being written, and the
/// traced sample of every module input and output (the engine's values for the example inputs), from
/// which exporters read ranks and static sizes. Exporters of container modules call
/// <see cref="Export"/> on their children.
/// </summary>
public sealed class OnnxExportContext
{
    private readonly Dictionary<string, Tensor> _samples = new(StringComparer.Ordinal);
    private readonly Dictionary<Tensor, string> _parameters = new(ReferenceEqualityComparer.Instance);
    private readonly Stack<(Module Module, string Path)> _stack = new();
    private readonly OnnxExportRegistry _registry;

    internal OnnxExportContext(OnnxGraphBuilder builder, OnnxExportOptions options)
    {
        Builder = builder;
        Options = options;
        _registry = options.Registry ?? OnnxExportRegistry.Default;
    }

    /// <summary>The graph being built.</summary>
    public OnnxGraphBuilder Builder { get; }

    /// <summary>The export settings.</summary>
    public OnnxExportOptions Options { get; }

    /// <summary>The opset the graph is written for.</summary>
    public int Opset => Builder.Opset;

    /// <summary>Qualified name of the module being exported (<c>""</c> for the root).</summary>
    public string ModulePath => _stack.Count == 0 ? "" : _stack.Peek().Path;

    /// <summary>
    /// Exports <paramref name="module"/> (the model or a child of the module being exported) with its
    /// registered exporter and returns its output value names. For a tensor → tensor module with one
    /// traced input, the output sample is computed by running its forward pass unless the exporter set it
    /// (inside composite layers whose intermediate values are not traced, exporters must not rely on samples).
    /// </summary>
    /// <param name="module">The module.</param>
    /// <param name="inputs">Names of its input values (each with a sample).</param>
    /// <param name="name">Its local name; by default the name under which the current module registered it.</param>
    /// <exception cref="OnnxExportException">No exporter is registered for the module's type, or it failed.</exception>
    public IReadOnlyList<string> Export(Module module, IReadOnlyList<string> inputs, string? name = null) => ExportWith(module, inputs, null, name);

    /// <summary>
    /// Like <see cref="Export"/>, but writes <paramref name="module"/> with <paramref name="exporter"/> instead of
    /// its registered exporter (e.g. attention with a causal mask inside a decoder layer), under the module's own name.
    /// </summary>
    /// <param name="module">The module.</param>
    /// <param name="inputs">Names of its input values.</param>
    /// <param name="exporter">The exporter to use; null for the registered one.</param>
    /// <param name="name">Its local name; by default the name under which the current module registered it.</param>
    public IReadOnlyList<string> ExportWith(Module module, IReadOnlyList<string> inputs, OnnxModuleExporter<Module>? exporter, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(inputs);
        string path = ChildPath(module, name);
        exporter ??= _registry.Find(module.GetType()) ?? throw new OnnxExportException(
            $"No ONNX exporter is registered for module '{(path.Length == 0 ? "<root>" : path)}' of type {module.GetType().Name}; " +
            "register one with OnnxExportRegistry.Default.Register<T>(...).", modulePath: path);
        string savedScope = Builder.Scope;
        _stack.Push((module, path));
        Builder.Scope = path;
        IReadOnlyList<string> outputs;
        try
        {
            outputs = exporter(this, module, inputs);
        }
        catch (Exception e) when (e is not OnnxExportException)
        {
            throw new OnnxExportException($"Exporting module '{(path.Length == 0 ? "<root>" : path)}' ({module.GetType().Name}) failed: {e.Message}", modulePath: path, inner: e);
        }
        finally
        {
            _stack.Pop();
            Builder.Scope = savedScope;
        }
        if (outputs is null || outputs.Count == 0)
            throw new OnnxExportException($"The exporter of module '{path}' ({module.GetType().Name}) returned no outputs.", modulePath: path);
        if (module is Module<Tensor, Tensor> single && inputs.Count == 1 && outputs.Count == 1 && !_samples.ContainsKey(outputs[0])
            && _samples.TryGetValue(inputs[0], out var inputSample))
        {
            using (Tensor.NoGrad()) _samples[outputs[0]] = single.Forward(inputSample);
        }
        return outputs;
    }

    private string ChildPath(Module module, string? name)
    {
        if (_stack.Count == 0) return name ?? "";
        var (parent, parentPath) = _stack.Peek();
        if (name is null)
        {
            foreach (var (childName, child) in parent.NamedChildren())
                if (ReferenceEquals(child, module)) { name = childName; break; }
            name ??= module.GetType().Name;
        }
        return parentPath.Length == 0 ? name : parentPath + "." + name;
    }

    // ------------------------------------------------------------------ samples

    /// <summary>The traced value of <paramref name="valueName"/> (a module input or output).</summary>
    /// <param name="valueName">A value name.</param>
    public Tensor Sample(string valueName) =>
        _samples.TryGetValue(valueName, out var t) ? t
        : throw new OnnxExportException($"No traced sample for value '{valueName}' (only module inputs and outputs are traced).", valueName: valueName, modulePath: ModulePath);

    /// <summary>Whether <paramref name="valueName"/> has a traced value.</summary>
    /// <param name="valueName">A value name.</param>
    public bool HasSample(string valueName) => _samples.ContainsKey(valueName);

    /// <summary>Records the traced value of <paramref name="valueName"/> (exporters of multi-output modules do this).</summary>
    /// <param name="valueName">A value name.</param>
    /// <param name="sample">Its value for the example inputs.</param>
    public void SetSample(string valueName, Tensor sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        _samples[valueName] = sample;
    }

    /// <summary>Whether every one of <paramref name="valueNames"/> has a traced value.</summary>
    /// <param name="valueNames">Value names.</param>
    public bool HasSamples(params string[] valueNames) => valueNames.All(_samples.ContainsKey);

    /// <summary>Rank of a traced value.</summary>
    /// <param name="valueName">A value name.</param>
    public int Rank(string valueName) => Sample(valueName).Rank;

    /// <summary>Rank of a value when it is traced, else null.</summary>
    /// <param name="valueName">A value name.</param>
    public int? TryRank(string valueName) => _samples.TryGetValue(valueName, out var t) ? t.Rank : null;

    // ------------------------------------------------------------------ parameters and constants

    /// <summary>
    /// The initializer holding parameter or buffer <paramref name="tensor"/>, named by its state-dict name
    /// (<c>"{module path}.{localName}"</c>); a tensor shared by several modules is written once.
    /// </summary>
    /// <param name="localName">Its name within the current module (e.g. <c>"weight"</c>).</param>
    /// <param name="tensor">The tensor.</param>
    public string Parameter(string localName, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (_parameters.TryGetValue(tensor, out var existing)) return existing;
        string name = Builder.AddInitializer(Qualify(localName), tensor.Detach());
        _parameters[tensor] = name;
        return name;
    }

    /// <summary>An initializer holding a value derived from parameters (e.g. a transposed weight), named <c>"{module path}.{localName}"</c>.</summary>
    /// <param name="localName">Name within the current module (e.g. <c>"weight_t"</c>).</param>
    /// <param name="tensor">The value.</param>
    public string Initializer(string localName, Tensor tensor) => Builder.AddInitializer(Qualify(localName), tensor.Detach().Contiguous());

    private string Qualify(string localName) => ModulePath.Length == 0 ? localName : ModulePath + "." + localName;

    /// <summary>A 0-dim constant with the element type of <paramref name="like"/>'s sample (float32 when it has none).</summary>
    /// <param name="value">The value.</param>
    /// <param name="like">A traced value whose dtype to use.</param>
    public string Scalar(double value, string like)
    {
        var dtype = _samples.TryGetValue(like, out var s) ? s.DType : DType.Float32;
        return dtype == DType.Float32 ? Builder.AddScalar("c", (float)value) : Builder.AddConstant("c", Tensor.Scalar(value, dtype));
    }

    /// <summary>Adds a one-output node whose doc string names the current module.</summary>
    /// <param name="opType">Operator.</param>
    /// <param name="inputs">Input value names.</param>
    /// <param name="attributes">Typed attributes.</param>
    public string Node(string opType, IReadOnlyList<string> inputs, params Schema.AttributeProto[] attributes) =>
        Builder.AddNode(opType, inputs, 1, attributes, docString: DocString())[0];

    /// <summary>Adds a node with several outputs whose doc string names the current module.</summary>
    /// <param name="opType">Operator.</param>
    /// <param name="inputs">Input value names.</param>
    /// <param name="outputCount">Number of outputs.</param>
    /// <param name="attributes">Typed attributes.</param>
    public string[] Nodes(string opType, IReadOnlyList<string> inputs, int outputCount, params Schema.AttributeProto[] attributes) =>
        Builder.AddNode(opType, inputs, outputCount, attributes, docString: DocString());

    private string DocString() =>
        _stack.Count == 0 ? "" : $"{(ModulePath.Length == 0 ? "<root>" : ModulePath)} ({_stack.Peek().Module.GetType().Name})";
}
