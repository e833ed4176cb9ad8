using System.CommandLine;
using MLNetDeep.Data;
using MLNetDeep.Estimators.Vision;

namespace MLNetDeep.Cli.Verbs;

/// <summary>
/// The options of <c>detect train</c> and <c>segment train</c> (output, network size, training settings, ONNX export),
/// their defaults taken from the trainer's options class, and the save-then-export step both end with.
/// </summary>
internal sealed class VisionTrainCliOptions
{
    public VisionTrainCliOptions(int inputSize, int width, int depth, int epochs, int batchSize, double learningRate, LearningRateSchedule schedule, string onnxDescription)
    {
        InputSize = new("--input-size") { Description = "Network input side (multiple of 32).", DefaultValueFactory = _ => inputSize };
        Width = new("--width") { Description = "Channels of the backbone stem.", DefaultValueFactory = _ => width };
        Depth = new("--depth") { Description = "Stride-1 blocks after the first block of each backbone stage.", DefaultValueFactory = _ => depth };
        Epochs = new("--epochs") { Description = "Passes over the data.", DefaultValueFactory = _ => epochs };
        BatchSize = new("--batch-size") { Description = "Images per step.", DefaultValueFactory = _ => batchSize };
        LearningRate = new("--learning-rate") { Description = "Adam learning rate.", DefaultValueFactory = _ => learningRate };
        Schedule = new("--schedule") { Description = "Learning-rate schedule over the epochs: Constant, Cosine or Step.", DefaultValueFactory = _ => schedule };
        Onnx = new("--onnx") { Description = onnxDescription };
    }

    public Option<FileInfo> Output { get; } = new("--output", "-o") { Description = "Where to write the model (.zip); written atomically.", Required = true };
    public Option<int> InputSize { get; }
    public Option<int> Width { get; }
    public Option<int> Depth { get; }
    public Option<int> Epochs { get; }
    public Option<int> BatchSize { get; }
    public Option<double> LearningRate { get; }
    public Option<LearningRateSchedule> Schedule { get; }
    public Option<int> Seed { get; } = new("--seed") { Description = "Seed of initialisation, shuffling and flips.", DefaultValueFactory = _ => 1 };
    public Option<FileInfo?> Onnx { get; }

    public void AddTo(Command c)
    {
        foreach (var o in new Option[] { Output, InputSize, Width, Depth, Epochs, BatchSize, LearningRate, Schedule, Seed, Onnx }) c.Add(o);
    }

    /// <summary>Saves <paramref name="model"/> to <c>--output</c> and, when <c>--onnx</c> is given, exports it there; each step is reported on the command's output.</summary>
    public void SaveAndExport(ParseResult r, DeepContext ctx, ITransformer model, DataViewSchema inputSchema, Action<string> exportOnnx)
    {
        var log = r.InvocationConfiguration.Output;
        string path = r.GetValue(Output)!.FullName;
        ctx.Model.Save(model, inputSchema, path);
        log.WriteLine($"saved {path}");
        if (r.GetValue(Onnx) is { } file)
        {
            exportOnnx(file.FullName);
            log.WriteLine($"wrote {file.FullName}");
        }
    }
}
