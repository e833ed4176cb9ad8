using MLNetDeep.Data;
using NUnit.Framework;

namespace MLNetDeep.Tests.Quantization;

/// <summary>
/// Fashion-MNIST for the quantization tests, read with <see cref="IdxFile"/> from $MLNETDEEP_FASHION_MNIST or
/// /usr/share/datasets/fashion-mnist: ignored with a reason when absent, a failure under MLNETDEEP_REQUIRE_ORACLES=1.
/// </summary>
public static class QuantFashionMnist
{
    /// <summary>Environment variable overriding the default directory.</summary>
    public const string EnvVar = "MLNETDEEP_FASHION_MNIST";

    /// <summary>One image row: 784 pixels in [0, 1] and a Key label 1..10.</summary>
    public sealed class Row
    {
        /// <summary>Pixels.</summary>
        [VectorType(784)]
        public float[] Image { get; set; } = [];

        /// <summary>Class key.</summary>
        [KeyType(10)]
        public uint Label { get; set; }
    }

    /// <summary>The directory with the IDX files, or null.</summary>
    public static string? Directory()
    {
        string dir = Environment.GetEnvironmentVariable(EnvVar) is { Length: > 0 } d ? d : "/usr/share/datasets/fashion-mnist";
        return File.Exists(FilePath(dir, "train", "images-idx3")) && File.Exists(FilePath(dir, "t10k", "labels-idx1")) ? dir : null;
    }

    private static string FilePath(string dir, string split, string kind)
    {
        string plain = Path.Combine(dir, $"{split}-{kind}-ubyte");
        return File.Exists(plain + ".gz") ? plain + ".gz" : plain;
    }

    /// <summary>The first <paramref name="count"/> rows of a split ("train" or "t10k"), or the test is ignored/failed.</summary>
    public static List<Row> Rows(string split, int count)
    {
        string? dir = Directory();
        if (dir is null)
        {
            string reason = $"Fashion-MNIST not found (install dataset-fashion-mnist or set {EnvVar})";
            if (Environment.GetEnvironmentVariable("MLNETDEEP_REQUIRE_ORACLES") == "1") Assert.Fail(reason);
            Assert.Ignore(reason);
        }
        var images = IdxFile.Read(FilePath(dir!, split, "images-idx3"));
        var labels = IdxFile.Read(FilePath(dir!, split, "labels-idx1"));
        count = Math.Min(count, images.Count);
        var rows = new List<Row>(count);
        for (int i = 0; i < count; i++)
        {
            var px = new float[784];
            for (int j = 0; j < 784; j++) px[j] = images.Data[i * 784 + j] / 255f;
            rows.Add(new Row { Image = px, Label = labels.Data[i] + 1u });
        }
        return rows;
    }
}
