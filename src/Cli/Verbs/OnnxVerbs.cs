using System.CommandLine;
using MLNetDeep.Onnx;

namespace MLNetDeep.Cli.Verbs;

/// <summary><c>onnx info MODEL</c> (inputs, outputs, opset, operator counts) and <c>onnx run MODEL --input NAME=FILE.npy … --output-dir DIR</c>.</summary>
public sealed class OnnxVerbs : IVerbGroup
{
    /// <inheritdoc/>
    public void Register(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var onnx = VerbGroups.Verb(root, "onnx");

        var infoModel = new Argument<FileInfo>("model") { Description = "The .onnx file." };
        var info = new Command("info", "Show a model's inputs, outputs, opset and operator counts.") { infoModel };
        info.SetAction(r => Guard(() => Info(r.GetValue(infoModel)!)));
        onnx.Add(info);

        var runModel = new Argument<FileInfo>("model") { Description = "The .onnx file." };
        var inputs = new Option<string[]>("--input", "-i") { Description = "NAME=FILE.npy (repeat per input; float32, float64, int64, int32 or bool arrays).", Required = true };
        var outDir = new Option<DirectoryInfo>("--output-dir", "-o") { Description = "Directory for one NAME.npy per output (float32/float64/int64/bool).", Required = true };
        var run = new Command("run", "Run a model on .npy inputs with the managed runtime and write its outputs as .npy.") { runModel, inputs, outDir };
        run.SetAction(r => Guard(() => Run(r.GetValue(runModel)!, r.GetValue(inputs)!, r.GetValue(outDir)!)));
        onnx.Add(run);
    }

    private static int Guard(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is OnnxException or IOException or FormatException or ArgumentException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    private static string Shape(long?[]? s) => s is null ? "?" : $"[{string.Join(", ", s.Select(d => d?.ToString() ?? "?"))}]";

    private static int Info(FileInfo path)
    {
        var model = OnnxModel.Load(path.FullName);
        // Plain Console output (not Spectre's cached console), so callers that redirect Console.Out see it.
        var w = Console.Out;
        w.WriteLine($"{path.Name}: opset {model.Opset}, producer '{model.ProducerName}', {model.Graph.Count} nodes");
        foreach (var i in model.Inputs) w.WriteLine($"input  {i.Name}: {i.ElementType?.ToString() ?? "?"} {Shape(i.Shape)}");
        foreach (var o in model.Outputs) w.WriteLine($"output {o.Name}: {o.ElementType?.ToString() ?? "?"} {Shape(o.Shape)}");
        w.WriteLine("operators:");
        foreach (var g in model.Graph.GroupBy(n => n.OpType).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal))
            w.WriteLine($"  {g.Key}: {g.Count()}");
        return 0;
    }

    private static int Run(FileInfo path, string[] inputs, DirectoryInfo outDir)
    {
        var session = new OnnxSession(path.FullName);
        var feeds = new Dictionary<string, OnnxValue>(StringComparer.Ordinal);
        foreach (var spec in inputs)
        {
            int eq = spec.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"--input '{spec}' must be NAME=FILE.npy.");
            feeds[spec[..eq]] = Npy.Read(spec[(eq + 1)..]);
        }
        var outputs = session.Run(feeds);
        outDir.Create();
        foreach (var (name, value) in outputs)
        {
            string safe = string.Concat(name.Select(c => char.IsLetterOrDigit(c) || c is '_' or '-' or '.' ? c : '_'));
            string file = Path.Combine(outDir.FullName, safe + ".npy");
            Npy.Write(file, value);
            Console.Out.WriteLine($"{name}: {value.ElementType} [{string.Join(", ", value.Shape.ToArray())}] -> {file}");
        }
        return 0;
    }
}
