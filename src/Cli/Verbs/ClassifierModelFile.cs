using MLNetDeep.Data;
using MLNetDeep.Estimators.Compression;
using MLNetDeep.Persistence;

namespace MLNetDeep.Cli.Verbs;

/// <summary>
/// A model file whose one <see cref="INetworkClassifier"/> component (the whole model, or one link of a chain) the
/// compression verbs work on.
/// </summary>
internal sealed record ClassifierModelFile(string Path, ITransformer Model, DataViewSchema InputSchema, INetworkClassifier Classifier)
{
    /// <summary>Loads <paramref name="path"/> through the component registry and finds its classifier.</summary>
    /// <exception cref="ModelFormatException">The file is not a model, or it holds no (or several) network classifiers.</exception>
    public static ClassifierModelFile Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Model '{path}' not found.", path);
        var model = ModelArchive.Load(path, out var schema);
        var parts = model is TransformerChain<ITransformer> chain ? chain.Transformers : [model];
        var classifiers = parts.OfType<INetworkClassifier>().ToList();
        if (classifiers.Count != 1)
            throw new ModelFormatException(path, "manifest.json", $"expected one network classifier component, found {classifiers.Count} (components: {string.Join(", ", parts.Select(p => p.GetType().Name))}).");
        return new ClassifierModelFile(path, model, schema, classifiers[0]);
    }

    /// <summary>The same model with <paramref name="classifier"/> in place of <see cref="Classifier"/>.</summary>
    public ITransformer With(INetworkClassifier classifier) => Model is TransformerChain<ITransformer> chain
        ? new TransformerChain<ITransformer>(chain.Transformers.Select(t => ReferenceEquals(t, Classifier) ? classifier : t).ToList())
        : classifier;
}
