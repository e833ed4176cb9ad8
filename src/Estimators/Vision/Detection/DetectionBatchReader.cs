using MLNetDeep.Data;
using MLNetDeep.Tensors;

namespace MLNetDeep.Estimators.Vision.Detection;

/// <summary>
/// One batch for a detector or segmenter: images resized to a square input, boxes scaled with them, and optionally
/// masks resized by nearest neighbour.
/// </summary>
/// <param name="Images">[batch, 3, size, size].</param>
/// <param name="Boxes">Per image, packed corner boxes (x1, y1, x2, y2) in input pixels.</param>
/// <param name="Labels">Per image, the class key id of each box.</param>
/// <param name="Masks">[batch, size, size] Int64 class ids (0 = background), or null when no mask column was read.</param>
/// <param name="SourceSizes">Per image, the original (width, height), to map predictions back.</param>
public sealed record DetectionBatch(Tensor Images, IReadOnlyList<float[]> Boxes, IReadOnlyList<int[]> Labels, Tensor? Masks,
    IReadOnlyList<(int Width, int Height)> SourceSizes);

/// <summary>
/// Reads detection rows (<c>Image</c>, <c>Boxes</c> and optionally <c>Mask</c>, as the scene generator and the VOC/COCO
/// loaders give them) into fixed-size batches: every image is resized to <see cref="InputSize"/>² with bilinear
/// interpolation (pixel centres aligned, as PyTorch's <c>align_corners=False</c>), box coordinates are scaled by the
/// same factors, masks are resampled at the output pixel centres.
/// </summary>
public sealed class DetectionBatchReader
{
    /// <summary>Creates a reader.</summary>
    /// <param name="inputSize">Side of the network input.</param>
    /// <param name="imageColumnName">Image column.</param>
    /// <param name="boxesColumnName">Boxes column, or null to read no boxes (the batch then has empty box lists).</param>
    /// <param name="maskColumnName">Mask column (Vector&lt;Int32&gt;, H·W), or null to read no masks.</param>
    public DetectionBatchReader(int inputSize, string imageColumnName = "Image", string? boxesColumnName = "Boxes", string? maskColumnName = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputSize, 8);
        InputSize = inputSize;
        ImageColumnName = imageColumnName;
        BoxesColumnName = boxesColumnName;
        MaskColumnName = maskColumnName;
    }

    /// <summary>Side of the network input.</summary>
    public int InputSize { get; }

    /// <summary>Image column.</summary>
    public string ImageColumnName { get; }

    /// <summary>Boxes column, or null.</summary>
    public string? BoxesColumnName { get; }

    /// <summary>Mask column, or null.</summary>
    public string? MaskColumnName { get; }

    /// <summary>Streams batches (the last one may be smaller).</summary>
    /// <param name="data">The rows.</param>
    /// <param name="batchSize">Images per batch.</param>
    /// <param name="random">When given, the rows come in an order drawn from it (an exact shuffle for views that can).</param>
    /// <exception cref="SchemaMismatchException">A column is missing or has the wrong type.</exception>
    public IEnumerable<DetectionBatch> Read(IDataView data, int batchSize, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var image = data.Schema[ImageColumnName];
        if (image.Type is not ImageDataViewType) throw new SchemaMismatchException(ImageColumnName, $"Column '{ImageColumnName}' holds {image.Type}; an Image column is needed.");
        var boxes = BoxesColumnName is null ? null : data.Schema[BoxesColumnName];
        if (boxes is not null && boxes.Type is not BoundingBoxDataViewType) throw new SchemaMismatchException(boxes.Name, $"Column '{BoxesColumnName}' holds {boxes.Type}; a BoundingBoxes column is needed.");
        DataViewSchema.Column? mask = null;
        if (MaskColumnName is not null)
        {
            mask = data.Schema[MaskColumnName];
            if (mask.Type is not VectorDataViewType { ItemType: var item } || !item.Equals(NumberDataViewType.Int32))
                throw new SchemaMismatchException(MaskColumnName, $"Column '{MaskColumnName}' holds {mask.Type}; a Vector<Int32> mask column is needed.");
        }
        return ReadRows(data, batchSize, random, image, boxes, mask);
    }

    private IEnumerable<DetectionBatch> ReadRows(IDataView data, int batchSize, Random? random, DataViewSchema.Column imageColumn,
        DataViewSchema.Column? boxesColumn, DataViewSchema.Column? maskColumn)
    {
        var needed = new[] { imageColumn, boxesColumn, maskColumn }.OfType<DataViewSchema.Column>().ToArray();
        var images = new List<Tensor>(batchSize);
        var boxes = new List<float[]>(batchSize);
        var labels = new List<int[]>(batchSize);
        var sizes = new List<(int, int)>(batchSize);
        var masks = maskColumn is null ? null : new List<long>(batchSize * InputSize * InputSize);
        using var cursor = data.GetRowCursor(needed, random);
        while (cursor.MoveNext())
        {
            var img = cursor.GetValue<Tensor>(imageColumn);
            if (img.Rank != 3 || img.Size(0) != 3)
                throw new SchemaMismatchException(imageColumn.Name, $"Row {cursor.Position} of '{imageColumn.Name}' has shape [{string.Join(", ", img.Shape.ToArray())}]; [3, H, W] is needed.");
            int h = img.Size(1), w = img.Size(2);
            images.Add(ResizeImage(img, InputSize));
            var rowBoxes = boxesColumn is null ? [] : cursor.GetValue<BoundingBox[]>(boxesColumn);
            float sx = (float)InputSize / w, sy = (float)InputSize / h;
            var packed = new float[4 * rowBoxes.Length];
            for (int i = 0; i < rowBoxes.Length; i++)
            {
                var b = rowBoxes[i];
                (packed[4 * i], packed[4 * i + 1], packed[4 * i + 2], packed[4 * i + 3]) = (b.X * sx, b.Y * sy, (b.X + b.Width) * sx, (b.Y + b.Height) * sy);
            }
            boxes.Add(packed);
            labels.Add(rowBoxes.Select(b => b.Label).ToArray());
            sizes.Add((w, h));
            if (masks is not null)
            {
                var m = cursor.GetValue<int[]>(maskColumn!);
                if (m.Length != w * h)
                    throw new SchemaMismatchException(maskColumn!.Name, $"Row {cursor.Position} of '{maskColumn.Name}' has {m.Length} values for a {w}x{h} image.");
                foreach (int v in ResizeMask(m, w, h, InputSize)) masks.Add(v);
            }
            if (images.Count == batchSize)
            {
                yield return Flush(images, boxes, labels, sizes, masks);
            }
        }
        if (images.Count > 0) yield return Flush(images, boxes, labels, sizes, masks);
    }

    private DetectionBatch Flush(List<Tensor> images, List<float[]> boxes, List<int[]> labels, List<(int, int)> sizes, List<long>? masks)
    {
        int n = images.Count;
        var batch = new DetectionBatch(Tensor.Stack(images), boxes.ToArray(), labels.ToArray(),
            masks is null ? null : Tensor.FromArray(masks.ToArray(), n, InputSize, InputSize), sizes.ToArray());
        images.Clear();
        boxes.Clear();
        labels.Clear();
        sizes.Clear();
        masks?.Clear();
        return batch;
    }

    /// <summary>An image [C, H, W] resized to [C, size, size] (bilinear, pixel centres aligned); the same tensor when already that size.</summary>
    public static Tensor ResizeImage(Tensor image, int size)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Size(1) == size && image.Size(2) == size) return image;
        return F.Interpolate(image.Unsqueeze(0), [size, size], mode: "bilinear", alignCorners: false).Squeeze(0);
    }

    /// <summary>A mask (H·W, row-major) resampled to size² by nearest neighbour at the output pixel centres.</summary>
    public static int[] ResizeMask(int[] mask, int width, int height, int size)
    {
        ArgumentNullException.ThrowIfNull(mask);
        var result = new int[size * size];
        for (int y = 0; y < size; y++)
        {
            int sy = Math.Min(height - 1, (int)((y + 0.5) * height / size));
            for (int x = 0; x < size; x++)
            {
                int sx = Math.Min(width - 1, (int)((x + 0.5) * width / size));
                result[y * size + x] = mask[sy * width + sx];
            }
        }
        return result;
    }
}
