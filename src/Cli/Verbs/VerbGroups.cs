using System.CommandLine;

namespace MLNetDeep.Cli.Verbs;

/// <summary>
/// A set of related verbs (one file per group). A group adds its commands to the root, or subcommands
/// under a shared verb such as <c>train</c> via <see cref="VerbGroups.Verb"/>.
/// </summary>
public interface IVerbGroup
{
    /// <summary>Adds this group's commands.</summary>
    void Register(RootCommand root);
}

/// <summary>The registered verb groups; to add verbs, write an <see cref="IVerbGroup"/> and add one line to <see cref="All"/>.</summary>
public static class VerbGroups
{
    /// <summary>Every verb group, in help order.</summary>
    public static IReadOnlyList<IVerbGroup> All { get; } =
    [
        new ModelVerbs(),
        new TextClassifierVerbs(),
        new SequenceVerbs(),
        new OnnxVerbs(),
        new OnnxExportVerbs(),
        new Word2VecVerbs(),
        new TranslateVerbs(),
        new VisionVerbs(),
        new PruneVerbs(),
        new CompareVerbs(),
        new VisionQuantizeVerbs(),
        new DetectVerbs(),
        new SegmentVerbs(),
    ];

    /// <summary>Shared top-level verbs and their help text; groups hang their subcommands under these.</summary>
    public static readonly IReadOnlyDictionary<string, string> SharedVerbs = new Dictionary<string, string>
    {
        ["train"] = "Train a model from data and save it as one .zip model file.",
        ["evaluate"] = "Score a saved model on labelled data and print its metrics.",
        ["predict"] = "Score one example with a saved model.",
        ["export-onnx"] = "Export a saved model to ONNX.",
        ["onnx"] = "Run ONNX models with the managed runtime.",
        ["vision"] = "Image classifiers on IDX files: train, evaluate, distill, compress (quantize, prune) and compare.",
    };

    /// <summary>The shared verb <paramref name="name"/> under <paramref name="root"/>, created on first use.</summary>
    public static Command Verb(RootCommand root, string name)
    {
        ArgumentNullException.ThrowIfNull(root);
        var existing = root.Subcommands.FirstOrDefault(c => c.Name == name);
        if (existing is not null) return existing;
        var command = new Command(name, SharedVerbs.TryGetValue(name, out var help) ? help : name);
        root.Add(command);
        return command;
    }
}
