using System.CommandLine;
using System.Globalization;
using MLNetDeep.Cli.Npy;
using MLNetDeep.Data;
using MLNetDeep.Onnx;
using MLNetDeep.OnnxExport.Schema;
using MLNetDeep.Persistence;
using MLNetDeep.Tensors;

namespace MLNetDeep.Cli.Verbs;

/// <summary>
/// ONNX verbs: <c>onnx info MODEL</c> (inputs, outputs, opsets, producer, operator counts) and
/// <c>onnx run MODEL --input NAME=FILE.npy ... --output-dir DIR</c> (the managed runtime; each output
/// written as NAME.npy). <c>export-onnx</c> is in <see cref="OnnxExportVerbs"/>.
/// </summary>
public sealed class OnnxVerbs : IVerbGroup
{
    /// <inheritdoc/>
    public void Register(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        Estimators.EstimatorsRegistration.EnsureRegistered();
        var onnx = VerbGroups.Verb(root, "onnx");

        var infoModel = new Argument<FileInfo>("MODEL") { Description = "An .onnx file." };
        var info = new Command("info", "Show an ONNX model's inputs and outputs (types, shapes), opset imports, producer and operator counts.") { infoModel };
        info.SetAction(r => Guard(r, () => Info(r.GetValue(infoModel)!, r.InvocationConfiguration.Output)));
        onnx.Add(info);

        var runModel = new Argument<FileInfo>("MODEL") { Description = "An .onnx file." };
        var inputs = new Option<string[]>("--input", "-i") { Description = "NAME=FILE.npy for each model input (float32 or int64 .npy).", AllowMultipleArgumentsPerToken = false, Required = true };
        var outputDir = new Option<DirectoryInfo>("--output-dir", "-o") { Description = "Folder that receives one NAME.npy per model output.", Required = true };
        var run = new Command("run", "Run an ONNX model with the managed runtime on .npy inputs and write its outputs as .npy files.") { runModel, inputs, outputDir };
        run.SetAction(r => Guard(r, () => Run(r.GetValue(runModel)!, r.GetValue(inputs) ?? [], r.GetValue(outputDir)!, r.InvocationConfiguration.Output)));
        onnx.Add(run);
    }

    // Expected failures (bad files, names, shapes) print one line naming the culprit and exit with 1.
    private static int Guard(ParseResult r, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is OnnxException or NpyFormatException or ModelFormatException or SchemaMismatchException
                                      or OnnxExport.OnnxExportException or IOException or ArgumentException or UnauthorizedAccessException)
        {
            r.InvocationConfiguration.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    private static int Info(FileInfo path, TextWriter w)
    {
        if (!path.Exists) throw new FileNotFoundException($"ONNX model '{path.FullName}' not found.", path.FullName);
        ModelProto model;
        try { model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path.FullName)); }
        catch (Google.Protobuf.InvalidProtocolBufferException e) { throw new OnnxModelException(path.Name, "not a valid ONNX protobuf: " + e.Message, e); }
        var g = model.Graph ?? throw new OnnxModelException(path.Name, "the model has no graph.");
        var initializers = new HashSet<string>(g.Initializer.Select(t => t.Name), StringComparer.Ordinal);
        w.WriteLine($"{path.Name}: IR version {model.IrVersion}, producer {Or(model.ProducerName)} {model.ProducerVersion}".TrimEnd());
        w.WriteLine("opset imports: " + string.Join(", ", model.OpsetImport.Select(o => $"{(o.Domain.Length == 0 ? "ai.onnx" : o.Domain)} {o.Version}")));
        w.WriteLine("inputs:");
        foreach (var v in g.Input.Where(i => !initializers.Contains(i.Name))) w.WriteLine($"  {v.Name}: {Describe(v)}");
        w.WriteLine("outputs:");
        foreach (var v in g.Output) w.WriteLine($"  {v.Name}: {Describe(v)}");
        w.WriteLine($"initializers: {g.Initializer.Count} ({g.Initializer.Sum(t => t.Dims.Aggregate(1L, (a, d) => a * d)).ToString(CultureInfo.InvariantCulture)} values)");
        w.WriteLine($"nodes: {g.Node.Count}");
        foreach (var group in g.Node.GroupBy(n => n.OpType).OrderByDescending(x => x.Count()).ThenBy(x => x.Key, StringComparer.Ordinal))
            w.WriteLine($"  {group.Key}: {group.Count()}");
        foreach (var p in model.MetadataProps) w.WriteLine($"metadata {p.Key} = {p.Value}");
        return 0;
    }

    private static string Or(string s) => s.Length == 0 ? "(none)" : s;

    private static string Describe(ValueInfoProto v)
    {
        var t = v.Type?.TensorType;
        if (t is null) return "(not a tensor)";
        string type = Enum.IsDefined(typeof(TensorProto.Types.DataType), t.ElemType) ? ((TensorProto.Types.DataType)t.ElemType).ToString().ToLowerInvariant() : $"type {t.ElemType}";
        if (t.Shape is null) return $"{type} (shape unknown)";
        return $"{type}[{string.Join(", ", t.Shape.Dim.Select(d => d.DimParam.Length > 0 ? d.DimParam : d.HasDimValue ? d.DimValue.ToString(CultureInfo.InvariantCulture) : "?"))}]";
    }

    private static int Run(FileInfo path, string[] inputs, DirectoryInfo outputDir, TextWriter w)
    {
        if (!path.Exists) throw new FileNotFoundException($"ONNX model '{path.FullName}' not found.", path.FullName);
        var session = new OnnxSession(path.FullName);
        var feeds = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var spec in inputs)
        {
            int eq = spec.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == spec.Length - 1) throw new ArgumentException($"--input '{spec}' is not NAME=FILE.npy.", nameof(inputs));
            string name = spec[..eq], file = spec[(eq + 1)..];
            if (!session.Model.Inputs.Any(i => i.Name == name))
                throw new ArgumentException($"--input '{name}': the model has no input of that name (inputs: {string.Join(", ", session.Model.Inputs.Select(i => i.Name))}).", nameof(inputs));
            if (!File.Exists(file)) throw new FileNotFoundException($"--input '{name}': file '{file}' not found.", file);
            feeds[name] = NpyFile.Read(file);
        }
        foreach (var i in session.Model.Inputs)
            if (!feeds.ContainsKey(i.Name)) throw new ArgumentException($"Model input '{i.Name}' has no --input {i.Name}=FILE.npy.", nameof(inputs));
        var results = session.Run(feeds);
        outputDir.Create();
        foreach (var (name, tensor) in results)
        {
            if (name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name is "." or "..")
                throw new InvalidOperationException($"Output '{name}' cannot be a file name.");
            var t = tensor.DType == DType.Float64 ? tensor.To(DType.Float32) : tensor;
            string file = Path.Combine(outputDir.FullName, name + ".npy");
            NpyFile.Write(file, t);
            w.WriteLine($"{name}: {t.DType.ToString().ToLowerInvariant()}[{string.Join(", ", t.Shape.ToArray())}] → {file}");
        }
        return 0;
    }
}
