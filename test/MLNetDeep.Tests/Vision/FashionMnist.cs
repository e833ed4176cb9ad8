using MLNetDeep.Data;
using NUnit.Framework;

namespace MLNetDeep.Tests.Vision;

/// <summary>
/// Locates Fashion-MNIST (the Debian dataset-fashion-mnist IDX files): $MLNETDEEP_FASHION_MNIST, else
/// /usr/share/datasets/fashion-mnist. Tests that need it are ignored with a reason when it is absent, and fail
/// under MLNETDEEP_REQUIRE_ORACLES=1.
/// </summary>
public static class FashionMnist
{
    /// <summary>Environment variable overriding the default directory.</summary>
    public const string EnvVar = "MLNETDEEP_FASHION_MNIST";

    /// <summary>Where the Debian package installs the files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    private static readonly Lazy<(IdxDataView Train, IdxDataView Test)?> Cached = new(() =>
        Directory() is { } dir ? (Load(new DeepContext(0), dir, "train"), Load(new DeepContext(0), dir, "t10k")) : null);

    /// <summary>The directory holding {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz], or null.</summary>
    public static string? Directory()
    {
        string dir = Environment.GetEnvironmentVariable(EnvVar) is { Length: > 0 } d ? d : DefaultDirectory;
        return File.Exists(Path(dir, "train", "images-idx3")) && File.Exists(Path(dir, "t10k", "labels-idx1")) ? dir : null;
    }

    /// <summary>The path of one file (the .gz one when present).</summary>
    public static string Path(string dir, string split, string kind)
    {
        string plain = System.IO.Path.Combine(dir, $"{split}-{kind}-ubyte");
        return File.Exists(plain + ".gz") ? plain + ".gz" : plain;
    }

    /// <summary>Loads a split ("train" or "t10k") with LoadFromIdx.</summary>
    public static IdxDataView Load(DeepContext ctx, string dir, string split) =>
        ctx.Data.LoadFromIdx(Path(dir, split, "images-idx3"), Path(dir, split, "labels-idx1"));

    /// <summary>The train and test splits (read once per test run), or the test is ignored (failed with MLNETDEEP_REQUIRE_ORACLES=1).</summary>
    public static (IdxDataView Train, IdxDataView Test) Require()
    {
        if (Cached.Value is { } data) return data;
        string reason = $"Fashion-MNIST not found (install dataset-fashion-mnist or set {EnvVar} to a directory with the IDX files)";
        if (Environment.GetEnvironmentVariable("MLNETDEEP_REQUIRE_ORACLES") == "1") Assert.Fail(reason);
        Assert.Ignore(reason);
        return default;
    }

    /// <summary>A row of an image view, for LoadFromEnumerable subsets.</summary>
    public sealed class Row
    {
        /// <summary>28×28 pixels in [0, 1].</summary>
        [VectorType(784)]
        public float[] Image { get; set; } = [];

        /// <summary>Class key 1..10.</summary>
        [KeyType(10)]
        public uint Label { get; set; }
    }

    /// <summary>Rows [start, start + count) of <paramref name="view"/> as an in-memory view.</summary>
    public static IDataView Subset(DeepContext ctx, IDataView view, int start, int count)
    {
        var rows = new List<Row>(count);
        using var cursor = view.GetRowCursor();
        while (cursor.MoveNext() && rows.Count < count)
            if (cursor.Position >= start) rows.Add(new Row { Image = (float[])cursor.GetValue(0), Label = (uint)cursor.GetValue(1) });
        return ctx.Data.LoadFromEnumerable(rows);
    }
}
