namespace MLNetDeep.Data;

/// <summary>
/// Where the Fashion-MNIST IDX files (<c>{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]</c>) are: a directory
/// given by the caller, else the one named by <see cref="EnvVar"/>, else <see cref="DefaultDirectory"/> (Debian's
/// <c>dataset-fashion-mnist</c>). Read the files with <see cref="IdxFile.Read"/> or <c>ctx.Data.LoadFromIdx</c>.
/// </summary>
public static class FashionMnistFiles
{
    /// <summary>The environment variable naming the Fashion-MNIST directory (overrides <see cref="DefaultDirectory"/>).</summary>
    public const string EnvVar = "MLNETDEEP_FASHION_MNIST";

    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs the IDX files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The training split's file prefix.</summary>
    public const string TrainSplit = "train";

    /// <summary>The test split's file prefix.</summary>
    public const string TestSplit = "t10k";

    /// <summary>The image files' kind.</summary>
    public const string Images = "images-idx3";

    /// <summary>The label files' kind.</summary>
    public const string Labels = "labels-idx1";

    /// <summary>The ten Fashion-MNIST class names, by label 0..9.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The Fashion-MNIST directory: <paramref name="directory"/>, else $MLNETDEEP_FASHION_MNIST, else the Debian default.</summary>
    public static string ResolveDirectory(string? directory = null) =>
        directory is { Length: > 0 } ? directory
        : Environment.GetEnvironmentVariable(EnvVar) is { Length: > 0 } env ? env
        : DefaultDirectory;

    /// <summary>The path of one file in <paramref name="directory"/>: the <c>.gz</c> one when present, else the plain one (which may not exist).</summary>
    /// <param name="directory">The Fashion-MNIST directory.</param>
    /// <param name="split"><see cref="TrainSplit"/> or <see cref="TestSplit"/>.</param>
    /// <param name="kind"><see cref="Images"/> or <see cref="Labels"/>.</param>
    public static string PathOf(string directory, string split, string kind)
    {
        string plain = Path.Combine(directory, $"{split}-{kind}-ubyte");
        return File.Exists(plain + ".gz") ? plain + ".gz" : plain;
    }

    /// <summary>Like <see cref="PathOf"/>, but the file must exist.</summary>
    /// <exception cref="FileNotFoundException">Neither the <c>.gz</c> nor the plain file is there (the message names the directory and the variable).</exception>
    public static string Find(string directory, string split, string kind)
    {
        string path = PathOf(directory, split, kind);
        if (File.Exists(path)) return path;
        throw new FileNotFoundException(
            $"Fashion-MNIST file '{split}-{kind}-ubyte(.gz)' not found in '{directory}' (set {EnvVar} or install dataset-fashion-mnist).", path + ".gz");
    }

    /// <summary>Whether all four files are in <paramref name="directory"/>.</summary>
    public static bool IsComplete(string directory) =>
        new[] { TrainSplit, TestSplit }.All(split => File.Exists(PathOf(directory, split, Images)) && File.Exists(PathOf(directory, split, Labels)));
}
