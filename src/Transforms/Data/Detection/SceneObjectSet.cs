namespace MLNetDeep.Data;

/// <summary>
/// The object images pasted into generated scenes: grey 8-bit items (ink = high values, background 0, as in
/// MNIST-family files) with a class per item. <see cref="FromFashionMnist"/> reads Fashion-MNIST.
/// </summary>
public sealed class SceneObjectSet
{
    /// <summary>The environment variable naming the Fashion-MNIST directory (overrides <see cref="DefaultFashionMnistDirectory"/>).</summary>
    public const string FashionMnistEnvVar = "MLNETDEEP_FASHION_MNIST";

    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs the IDX files.</summary>
    public const string DefaultFashionMnistDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The ten Fashion-MNIST class names, by label 0..9.</summary>
    public static IReadOnlyList<string> FashionMnistClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

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

    /// <summary>The Fashion-MNIST directory: <paramref name="directory"/>, else $MLNETDEEP_FASHION_MNIST, else the Debian default.</summary>
    public static string ResolveFashionMnistDirectory(string? directory = null) =>
        directory is { Length: > 0 } ? directory
        : Environment.GetEnvironmentVariable(FashionMnistEnvVar) is { Length: > 0 } env ? env
        : DefaultFashionMnistDirectory;

    /// <summary>Reads Fashion-MNIST items and labels.</summary>
    /// <param name="directory">The directory (see <see cref="ResolveFashionMnistDirectory"/>).</param>
    /// <param name="testSplit">Read <c>t10k-*</c> (test items, for test scenes) instead of <c>train-*</c>.</param>
    /// <exception cref="FileNotFoundException">A file is missing (the message names the directory and the variable).</exception>
    public static SceneObjectSet FromFashionMnist(string? directory = null, bool testSplit = false)
    {
        string dir = ResolveFashionMnistDirectory(directory);
        string prefix = testSplit ? "t10k" : "train";
        string images = Find(dir, $"{prefix}-images-idx3-ubyte");
        string labels = Find(dir, $"{prefix}-labels-idx1-ubyte");
        var imageFile = IdxFile.Read(images);
        var labelFile = IdxFile.Read(labels);
        if (imageFile.Dimensions.Count != 3) throw new DataLoadException(images, 0, "an image file needs 3 dimensions (count, rows, columns).");
        if (labelFile.Count != imageFile.Count) throw new DataLoadException(labels, 0, $"{labelFile.Count} labels for {imageFile.Count} images.");
        return new SceneObjectSet(imageFile.Data, labelFile.Data, imageFile.Dimensions[1], imageFile.Dimensions[2], FashionMnistClassNames);
    }

    private static string Find(string dir, string name)
    {
        foreach (var candidate in new[] { name + ".gz", name })
        {
            string path = Path.Combine(dir, candidate);
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException($"Fashion-MNIST file '{name}(.gz)' not found in '{dir}' (set {FashionMnistEnvVar} or install dataset-fashion-mnist).", Path.Combine(dir, name + ".gz"));
    }
}
