namespace MLNetDeep.Data;

/// <summary>
/// The object images pasted into generated scenes: grey 8-bit items (ink = high values, background 0, as in
/// MNIST-family files) with a class per item. <see cref="FromFashionMnist"/> reads Fashion-MNIST.
/// </summary>
public sealed class SceneObjectSet
{
    /// <summary>Creates a set.</summary>
    /// <param name="pixels">count·height·width bytes, item after item, row-major.</param>
    /// <param name="labels">Class of each item, 0..classNames.Count−1.</param>
    /// <param name="height">Item height.</param>
    /// <param name="width">Item width.</param>
    /// <param name="classNames">Class names by class index.</param>
    public SceneObjectSet(byte[] pixels, byte[] labels, int height, int width, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        if (labels.Length == 0) throw new ArgumentException("The set has no items.", nameof(labels));
        if (pixels.Length != labels.Length * height * width)
            throw new ArgumentException($"{pixels.Length} pixel bytes for {labels.Length} items of {height}x{width}.", nameof(pixels));
        int bad = Array.FindIndex(labels, l => l >= classNames.Count);
        if (bad >= 0) throw new ArgumentException($"Item {bad} has class {labels[bad]}, but only {classNames.Count} class names are given.", nameof(labels));
        Pixels = pixels;
        Labels = labels;
        ItemHeight = height;
        ItemWidth = width;
        ClassNames = classNames;
    }

    /// <summary>Item pixels, item after item.</summary>
    public byte[] Pixels { get; }

    /// <summary>Class index (0-based) of each item.</summary>
    public byte[] Labels { get; }

    /// <summary>Item height.</summary>
    public int ItemHeight { get; }

    /// <summary>Item width.</summary>
    public int ItemWidth { get; }

    /// <summary>Number of items.</summary>
    public int Count => Labels.Length;

    /// <summary>Class names by class index; scene key id k names class k − 1.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Reads Fashion-MNIST items and labels.</summary>
    /// <param name="directory">The directory (see <see cref="FashionMnistFiles.ResolveDirectory"/>).</param>
    /// <param name="testSplit">Read <c>t10k-*</c> (test items, for test scenes) instead of <c>train-*</c>.</param>
    /// <exception cref="FileNotFoundException">A file is missing (the message names the directory and the variable).</exception>
    public static SceneObjectSet FromFashionMnist(string? directory = null, bool testSplit = false)
    {
        string dir = FashionMnistFiles.ResolveDirectory(directory);
        string split = testSplit ? FashionMnistFiles.TestSplit : FashionMnistFiles.TrainSplit;
        string images = FashionMnistFiles.Find(dir, split, FashionMnistFiles.Images);
        string labels = FashionMnistFiles.Find(dir, split, FashionMnistFiles.Labels);
        var imageFile = IdxFile.Read(images);
        var labelFile = IdxFile.Read(labels);
        if (imageFile.Dimensions.Count != 3) throw new DataLoadException(images, 0, "an image file needs 3 dimensions (count, rows, columns).");
        if (labelFile.Count != imageFile.Count) throw new DataLoadException(labels, 0, $"{labelFile.Count} labels for {imageFile.Count} images.");
        return new SceneObjectSet(imageFile.Data, labelFile.Data, imageFile.Dimensions[1], imageFile.Dimensions[2], FashionMnistFiles.ClassNames);
    }
}
