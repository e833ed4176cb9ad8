using MLNetDeep.Data;
using MLNetDeep.Tests.Oracles;

namespace MLNetDeep.Tests.Vision;

/// <summary>
/// Fashion-MNIST for tests, located by <see cref="FashionMnistFiles"/> ($MLNETDEEP_FASHION_MNIST, else
/// /usr/share/datasets/fashion-mnist). Tests that need it are ignored with a reason when it is absent, and fail
/// under MLNETDEEP_REQUIRE_ORACLES=1.
/// </summary>
public static class FashionMnist
{
    private static readonly Lazy<(IdxDataView Train, IdxDataView Test)?> Cached = new(() =>
        Directory() is { } dir ? (Load(new DeepContext(0), dir, FashionMnistFiles.TrainSplit), Load(new DeepContext(0), dir, FashionMnistFiles.TestSplit)) : null);

    /// <summary>The directory holding all four {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz] files, or null.</summary>
    public static string? Directory()
    {
        string dir = FashionMnistFiles.ResolveDirectory();
        return FashionMnistFiles.IsComplete(dir) ? dir : null;
    }

    /// <summary>The path of one file (the .gz one when present).</summary>
    public static string Path(string dir, string split, string kind) => FashionMnistFiles.PathOf(dir, split, kind);

    /// <summary>Loads a split ("train" or "t10k") with LoadFromIdx.</summary>
    public static IdxDataView Load(DeepContext ctx, string dir, string split) =>
        ctx.Data.LoadFromIdx(Path(dir, split, FashionMnistFiles.Images), Path(dir, split, FashionMnistFiles.Labels));

    /// <summary>The directory (see <see cref="Directory"/>), or the test is ignored (failed with MLNETDEEP_REQUIRE_ORACLES=1).</summary>
    public static string RequireDirectory()
    {
        if (Directory() is { } dir) return dir;
        OracleProcess.FailOrIgnore("Fashion-MNIST", $"the IDX files are not all in '{FashionMnistFiles.ResolveDirectory()}'",
            $"install dataset-fashion-mnist or set {FashionMnistFiles.EnvVar} to a directory with the IDX files");
        return "";
    }

    /// <summary>The train and test splits (read once per test run), or the test is ignored (failed with MLNETDEEP_REQUIRE_ORACLES=1).</summary>
    public static (IdxDataView Train, IdxDataView Test) Require()
    {
        RequireDirectory();
        return Cached.Value!.Value;
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

    /// <summary>The first <paramref name="trainRows"/> training and <paramref name="testRows"/> test rows as in-memory views, or the test is ignored (see <see cref="Require"/>).</summary>
    public static (IDataView Train, IDataView Test) RequireSubsets(DeepContext ctx, int trainRows, int testRows)
    {
        var (train, test) = Require();
        return (Subset(ctx, train, 0, trainRows), Subset(ctx, test, 0, testRows));
    }
}
