using MLNetDeep.Data;
using MLNetDeep.Estimators.Compression;
using MLNetDeep.Persistence;

namespace MLNetDeep.Cli.Verbs;

/// <summary>
/// A model file whose one <see cref="INetworkClassifier"/> component (the whole model, or one link of a chain) the
/// compression verbs work on, and the IDX image sets they read.
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

    /// <summary>
    /// An IDX image set (images and labels, <c>.gz</c> accepted) as columns <c>Image</c> (Vector&lt;Single&gt;, pixels in
    /// [0, 1]) and <c>Label</c> (Key, class index + 1), the columns of the image classifier.
    /// </summary>
    public static IDataView LoadIdx(DeepContext ctx, string imagesPath, string labelsPath)
    {
        var images = IdxFile.Read(imagesPath);
        var labels = IdxFile.Read(labelsPath);
        if (images.Dimensions.Count != 3) throw new DataLoadException(imagesPath, 0, $"an image file has 3 dimensions (count, rows, columns), this one {images.Dimensions.Count}.");
        if (labels.Dimensions.Count != 1) throw new DataLoadException(labelsPath, 0, $"a label file has 1 dimension, this one {labels.Dimensions.Count}.");
        if (images.Count != labels.Count)
            throw new DataLoadException(labelsPath, 0, $"{labels.Count} labels for {images.Count} images in '{imagesPath}'.");
        int size = images.ItemSize;
        var rows = new IdxImageRow[images.Count];
        for (int i = 0; i < rows.Length; i++)
        {
            if (labels.Data[i] >= IdxImageRow.MaxClasses) throw new DataLoadException(labelsPath, 0, $"label {labels.Data[i]} of item {i} is not below {IdxImageRow.MaxClasses}.");
            var px = new float[size];
            for (int j = 0; j < size; j++) px[j] = images.Data[i * size + j] / 255f;
            rows[i] = new IdxImageRow { Image = px, Label = labels.Data[i] + 1u };
        }
        return ctx.Data.LoadFromEnumerable(rows);
    }

    /// <summary>One IDX example.</summary>
    internal sealed class IdxImageRow
    {
        public const int MaxClasses = 10;

        /// <summary>Pixels in [0, 1], row-major.</summary>
        [VectorType(0)] public float[] Image { get; set; } = [];

        /// <summary>Class index + 1 (0 = missing).</summary>
        [KeyType(MaxClasses)] public uint Label { get; set; }
    }
}
