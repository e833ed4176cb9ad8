using MLNetDeep.Data;
using MLNetDeep.Tensors;

namespace MLNetDeep.Estimators.Vision;

/// <summary>
/// Images and label indices read once from a view into flat arrays, for epochs of shuffled mini-batches
/// (the MNIST family fits in memory: 60 000 × 784 floats ≈ 190 MB). Rows with a missing label (key 0) are
/// skipped when labels are read; without a label column every label is -1.
/// </summary>
internal sealed class ImageData
{
    private ImageData(float[] pixels, long[] labels, int[] shape, int[] sourceRows)
    {
        Pixels = pixels;
        Labels = labels;
        Shape = shape;
        SourceRows = sourceRows;
    }

    /// <summary>All images, [count, channels, height, width] row-major.</summary>
    public float[] Pixels { get; }

    /// <summary>Zero-based class indices (-1: none).</summary>
    public long[] Labels { get; }

    /// <summary>[channels, height, width].</summary>
    public int[] Shape { get; }

    /// <summary>The row of the view each example came from.</summary>
    public int[] SourceRows { get; }

    /// <summary>Number of examples.</summary>
    public int Count => Labels.Length;

    /// <summary>Values per image.</summary>
    public int ImageSize => Shape[0] * Shape[1] * Shape[2];

    /// <summary>Reads <paramref name="image"/> (and <paramref name="label"/> when given) from <paramref name="data"/>.</summary>
    public static ImageData Read(IDataView data, DataViewSchema.Column image, DataViewSchema.Column? label, int[] shape)
    {
        int size = shape[0] * shape[1] * shape[2];
        long? known = data.GetRowCount();
        var pixels = new List<float>(known is long n ? (int)Math.Min(n * size, Array.MaxLength) : 1 << 16);
        var labels = new List<long>();
        var rows = new List<int>();
        using var cursor = data.GetRowCursor(label is null ? [image] : [image, label]);
        while (cursor.MoveNext())
        {
            long y = -1;
            if (label is not null)
            {
                uint key = cursor.GetValue<uint>(label);
                if (key == 0) continue;
                y = key - 1;
            }
            var values = cursor.GetValue<float[]>(image);
            if (values.Length != size) throw new SchemaMismatchException(image.Name, $"Row {cursor.Position} of image column '{image.Name}' has {values.Length} values, not {size}.");
            pixels.AddRange(values);
            labels.Add(y);
            rows.Add((int)cursor.Position);
        }
        return new ImageData([.. pixels], [.. labels], shape, [.. rows]);
    }

    /// <summary>The examples at <paramref name="indices"/> as a batch tensor [n, C, H, W] (copied; <paramref name="augment"/> may change it) and their labels [n] (int64).</summary>
    public (Tensor Input, Tensor Labels) Batch(ReadOnlySpan<int> indices, ImageAugmenter? augment = null)
    {
        int size = ImageSize;
        var x = new float[indices.Length * size];
        var y = new long[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            Pixels.AsSpan(indices[i] * size, size).CopyTo(x.AsSpan(i * size));
            y[i] = Labels[indices[i]];
        }
        augment?.Apply(x, indices.Length, Shape[0], Shape[1], Shape[2]);
        return (Tensor.FromArray(x, [indices.Length, Shape[0], Shape[1], Shape[2]]), Tensor.FromArray(y, indices.Length));
    }

    /// <summary>Consecutive batches in row order, no augmentation.</summary>
    public IEnumerable<(Tensor Input, Tensor Labels)> InOrder(int batchSize)
    {
        for (int start = 0; start < Count; start += batchSize)
        {
            int n = Math.Min(batchSize, Count - start);
            yield return Batch(Enumerable.Range(start, n).ToArray());
        }
    }
}
