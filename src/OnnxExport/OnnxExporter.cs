using System.Globalization;
using MLNetDeep.OnnxExport.Schema;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;

namespace MLNetDeep.OnnxExport;

/// <summary>
/// Exports engine models to ONNX. The model is traced in evaluation mode on example inputs (built
/// from the input specs), each module is written by its registered exporter
/// (<see cref="OnnxExportRegistry"/>), and the output shapes are found by running the model a second
/// time with every dynamic axis resized: axes that change become <c>dim_param</c>s, named after the
/// input axis they follow.
/// </summary>
public static class OnnxExporter
{
    /// <summary>Exports a tensor → tensor model with one input.</summary>
    /// <param name="model">The model (put in evaluation mode while exporting, then restored).</param>
    /// <param name="input">The graph input: name, dtype, shape with dynamic axes.</param>
    /// <param name="options">Opset, output names, metadata, registry.</param>
    public static ModelProto Export(Module<Tensor, Tensor> model, OnnxTensorSpec input, OnnxExportOptions? options = null) =>
        Export(model, [input], options);

    /// <summary>Exports a model whose root exporter takes the given inputs.</summary>
    /// <param name="model">The model.</param>
    /// <param name="inputs">The graph inputs, in the order the root exporter expects.</param>
    /// <param name="options">Opset, output names, metadata, registry.</param>
    /// <exception cref="OnnxExportException">A module has no exporter, the opset lacks an operator, the output count differs from the output names.</exception>
    public static ModelProto Export(Module model, IReadOnlyList<OnnxTensorSpec> inputs, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        options ??= new OnnxExportOptions();
        if (inputs.Count == 0) throw new OnnxExportException("An exported model needs at least one input spec.");
        inputs = OnnxTensorSpec.ResolveExampleSizes(inputs);
        var builder = new OnnxGraphBuilder(options.OpsetVersion, options.GraphName);
        var ctx = new OnnxExportContext(builder, options);
        var gen = new Generator(options.Seed);
        bool wasTraining = model.IsTraining;
        model.Eval();
        try
        {
            var names = new List<string>();
            var examples = new List<Tensor>();
            foreach (var spec in inputs)
            {
                names.Add(builder.AddInput(spec));
                var example = spec.MakeExample(gen);
                examples.Add(example);
                ctx.SetSample(spec.Name, example);
            }
            IReadOnlyList<string> outputs;
            using (Tensor.NoGrad()) outputs = ctx.Export(model, names);
            if (outputs.Count != options.OutputNames.Count)
                throw new OnnxExportException(
                    $"The model has {outputs.Count} output(s) but OutputNames lists {options.OutputNames.Count} ({string.Join(", ", options.OutputNames)}).");
            var secondShapes = SecondProbe(model, inputs, gen);
            for (int i = 0; i < outputs.Count; i++)
            {
                string outName = options.OutputNames[i];
                var sample = ctx.Sample(outputs[i]);
                var dims = OutputDims(outName, sample.Shape.ToArray(), secondShapes is null ? null : secondShapes[i], inputs);
                options.OutputDocs.TryGetValue(outName, out var doc);
                builder.AddOutput(outputs[i], new OnnxTensorSpec(outName, sample.DType, dims, doc));
            }
            return builder.ToModel(options.ModelInfo);
        }
        finally
        {
            if (wasTraining) model.Train();
        }
    }

    /// <summary>Exports and writes the model to <paramref name="path"/> atomically.</summary>
    /// <param name="model">The model.</param>
    /// <param name="path">Destination file.</param>
    /// <param name="inputs">The graph inputs.</param>
    /// <param name="options">Export settings.</param>
    public static void Export(Module model, string path, IReadOnlyList<OnnxTensorSpec> inputs, OnnxExportOptions? options = null) =>
        OnnxModelWriter.Save(Export(model, inputs, options), path);

    /// <summary>Exports and writes the model to <paramref name="stream"/>, which stays open.</summary>
    /// <param name="model">The model.</param>
    /// <param name="stream">A writable stream.</param>
    /// <param name="inputs">The graph inputs.</param>
    /// <param name="options">Export settings.</param>
    public static void Export(Module model, Stream stream, IReadOnlyList<OnnxTensorSpec> inputs, OnnxExportOptions? options = null) =>
        OnnxModelWriter.Write(Export(model, inputs, options), stream);

    // Runs a tensor → tensor model once more with every dynamic axis at 2·example+1; null when that is not possible.
    private static int[][]? SecondProbe(Module model, IReadOnlyList<OnnxTensorSpec> inputs, Generator gen)
    {
        if (model is not Module<Tensor, Tensor> single || inputs.Count != 1) return null;
        var spec = inputs[0];
        if (!spec.Shape.Any(d => d.IsDynamic)) return null;
        var shape = spec.Shape.Select(d => d.IsDynamic ? 2 * d.ExampleSize + 1 : d.Size).ToArray();
        var x = spec.DType == DType.Int64 ? Tensor.Zeros(shape, DType.Int64) : Tensor.Rand(shape, gen, -1, 1, spec.DType);
        try
        {
            using (Tensor.NoGrad()) return [single.Forward(x).Shape.ToArray()];
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    // Output axis i: fixed when both probes agree; else named after the input axis whose sizes it follows.
    private static OnnxDim[] OutputDims(string outName, int[] first, int[]? second, IReadOnlyList<OnnxTensorSpec> inputs)
    {
        var dims = new OnnxDim[first.Length];
        var dynamicAxes = inputs.SelectMany(s => s.Shape).Where(d => d.IsDynamic).ToList();
        for (int i = 0; i < first.Length; i++)
        {
            string generic = $"{outName}_dim{i.ToString(CultureInfo.InvariantCulture)}";
            if (second is not null && second.Length == first.Length)
            {
                if (first[i] == second[i]) { dims[i] = first[i]; continue; }
                var match = dynamicAxes.FirstOrDefault(d => d.ExampleSize == first[i] && 2 * d.ExampleSize + 1 == second[i]);
                dims[i] = OnnxDim.Dynamic(match.Name ?? generic, first[i]);
            }
            else
            {
                // Without a second probe: an axis equal to a dynamic input axis's example size is taken to follow it.
                var match = dynamicAxes.FirstOrDefault(d => d.ExampleSize == first[i]);
                dims[i] = match.Name is string n ? OnnxDim.Dynamic(n, first[i]) : first[i];
            }
        }
        return dims;
    }
}

/// <summary>Extension methods exporting modules to ONNX.</summary>
public static class OnnxModuleExtensions
{
    /// <summary>Exports a tensor → tensor model to an ONNX file (atomically).</summary>
    /// <param name="model">The model.</param>
    /// <param name="path">Destination file.</param>
    /// <param name="input">The graph input spec.</param>
    /// <param name="options">Export settings.</param>
    public static void ExportOnnx(this Module<Tensor, Tensor> model, string path, OnnxTensorSpec input, OnnxExportOptions? options = null) =>
        OnnxExporter.Export(model, path, [input], options);

    /// <summary>Exports a tensor → tensor model as ONNX to a stream.</summary>
    /// <param name="model">The model.</param>
    /// <param name="stream">A writable stream (left open).</param>
    /// <param name="input">The graph input spec.</param>
    /// <param name="options">Export settings.</param>
    public static void ExportOnnx(this Module<Tensor, Tensor> model, Stream stream, OnnxTensorSpec input, OnnxExportOptions? options = null) =>
        OnnxExporter.Export(model, stream, [input], options);
}
