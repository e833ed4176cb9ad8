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
        int plane = InputSize * InputSize;
        var batch = new BatchBuffer(batchSize, InputSize, maskColumn is not null);
        using var cursor = data.GetRowCursor(needed, random);
        while (cursor.MoveNext())
        {
            var img = cursor.GetValue<Tensor>(imageColumn);
            if (img.Rank != 3 || img.Size(0) != 3)
                throw new SchemaMismatchException(imageColumn.Name, $"Row {cursor.Position} of '{imageColumn.Name}' has shape [{string.Join(", ", img.Shape.ToArray())}]; [3, H, W] is needed.");
            int h = img.Size(1), w = img.Size(2), slot = batch.Count;
            ResizeBilinear(Pixels(img), 3, h, w, batch.Images.Data<float>().Slice(slot * 3 * plane, 3 * plane), InputSize);
            var rowBoxes = boxesColumn is null ? [] : cursor.GetValue<BoundingBox[]>(boxesColumn);
            float sx = (float)InputSize / w, sy = (float)InputSize / h;
            var packed = new float[4 * rowBoxes.Length];
            for (int i = 0; i < rowBoxes.Length; i++)
            {
                var b = rowBoxes[i];
                (packed[4 * i], packed[4 * i + 1], packed[4 * i + 2], packed[4 * i + 3]) = (b.X * sx, b.Y * sy, (b.X + b.Width) * sx, (b.Y + b.Height) * sy);
            }
            batch.Boxes.Add(packed);
            batch.Labels.Add(rowBoxes.Select(b => b.Label).ToArray());
            batch.Sizes.Add((w, h));
            if (maskColumn is not null)
            {
                var m = cursor.GetValue<int[]>(maskColumn);
                if (m.Length != w * h)
                    throw new SchemaMismatchException(maskColumn.Name, $"Row {cursor.Position} of '{maskColumn.Name}' has {m.Length} values for a {w}x{h} image.");
                ResizeMask(m, w, h, InputSize, batch.Masks!.Data<long>().Slice(slot * plane, plane));
            }
            if (++batch.Count == batchSize)
            {
                yield return batch.ToBatch();
                batch = new BatchBuffer(batchSize, InputSize, maskColumn is not null);
            }
        }
        if (batch.Count > 0) yield return batch.ToBatch();
    }

    /// <summary>
    /// The rows of one batch being filled: each image is resized, and each mask resampled, straight into its slot of the
    /// batch tensors; a last, partial batch is the first rows of them (a view).
    /// </summary>
    private sealed class BatchBuffer(int capacity, int size, bool masks)
    {
        public Tensor Images { get; } = Tensor.Zeros([capacity, 3, size, size]);

        public Tensor? Masks { get; } = masks ? Tensor.Zeros([capacity, size, size], DType.Int64) : null;

        public List<float[]> Boxes { get; } = new(capacity);

        public List<int[]> Labels { get; } = new(capacity);

        public List<(int, int)> Sizes { get; } = new(capacity);

        public int Count { get; set; }

        public DetectionBatch ToBatch() => Count == capacity
            ? new DetectionBatch(Images, Boxes, Labels, Masks, Sizes)
            : new DetectionBatch(Images.Narrow(0, 0, Count), Boxes, Labels, Masks?.Narrow(0, 0, Count), Sizes);
    }

    /// <summary>An image [C, H, W] resized to [C, size, size] (bilinear, pixel centres aligned); the same tensor when already that size.</summary>
    public static Tensor ResizeImage(Tensor image, int size)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Rank != 3) throw new ArgumentException($"ResizeImage needs a [C, H, W] image, got rank {image.Rank}.", nameof(image));
        if (image.Size(1) == size && image.Size(2) == size) return image;
        int c = image.Size(0);
        var result = Tensor.Zeros([c, size, size]);
        ResizeBilinear(Pixels(image), c, image.Size(1), image.Size(2), result.Data<float>(), size);
        return result;
    }

    /// <summary>The elements of an image as float32, row-major (the tensor's own storage when it already is).</summary>
    private static ReadOnlySpan<float> Pixels(Tensor image) => image.Contiguous().To(DType.Float32).Data<float>();

    /// <summary>
    /// Resizes <paramref name="channels"/> planes of <paramref name="height"/>×<paramref name="width"/> to size×size into
    /// <paramref name="destination"/>: bilinear with pixel centres aligned (PyTorch's <c>align_corners=False</c>, source
    /// index (o + ½)·in/out − ½ clamped at 0, computed in float as PyTorch does for float32), separably — each output row
    /// blends two source rows, each output column two source columns. A plane already size×size is copied.
    /// </summary>
    public static void ResizeBilinear(ReadOnlySpan<float> source, int channels, int height, int width, Span<float> destination, int size)
    {
        int plane = height * width, outPlane = size * size;
        if (source.Length < channels * plane) throw new ArgumentException($"{source.Length} values for {channels}×{height}×{width}.", nameof(source));
        if (destination.Length < channels * outPlane) throw new ArgumentException($"{destination.Length} values for {channels}×{size}×{size}.", nameof(destination));
        if (height == size && width == size)
        {
            source[..(channels * plane)].CopyTo(destination);
            return;
        }
        var (x0, x1, wx) = Taps(width, size);
        var (y0, y1, wy) = Taps(height, size);
        var rowBuffer = new float[2 * size];
        for (int c = 0; c < channels; c++)
        {
            var src = source.Slice(c * plane, plane);
            var dst = destination.Slice(c * outPlane, outPlane);
            for (int oy = 0; oy < size; oy++)
            {
                var top = rowBuffer.AsSpan(0, size);
                var bottom = rowBuffer.AsSpan(size, size);
                HorizontalPass(src.Slice(y0[oy] * width, width), x0, x1, wx, top);
                HorizontalPass(src.Slice(y1[oy] * width, width), x0, x1, wx, bottom);
                float b = wy[oy], a = 1f - b;
                var o = dst.Slice(oy * size, size);
                for (int ox = 0; ox < size; ox++) o[ox] = a * top[ox] + b * bottom[ox];
            }
        }
    }

    private static void HorizontalPass(ReadOnlySpan<float> source, int[] x0, int[] x1, float[] wx, Span<float> destination)
    {
        for (int ox = 0; ox < destination.Length; ox++)
        {
            float b = wx[ox];
            destination[ox] = (1f - b) * source[x0[ox]] + b * source[x1[ox]];
        }
    }

    /// <summary>Per output index, the two source indices and the weight of the second (as F.Interpolate's bilinear matrix rows).</summary>
    private static (int[] First, int[] Second, float[] Weight) Taps(int input, int output)
    {
        var first = new int[output];
        var second = new int[output];
        var weight = new float[output];
        float scale = (float)((double)input / output);
        for (int o = 0; o < output; o++)
        {
            float r = scale * (o + 0.5f) - 0.5f;
            if (r < 0) r = 0;
            int i0 = (int)r;
            first[o] = i0;
            second[o] = i0 < input - 1 ? i0 + 1 : i0;
            weight[o] = Math.Clamp(r - i0, 0f, 1f);
        }
        return (first, second, weight);
    }

    /// <summary>A mask (H·W, row-major) resampled to size² by nearest neighbour at the output pixel centres.</summary>
    public static int[] ResizeMask(int[] mask, int width, int height, int size)
    {
        ArgumentNullException.ThrowIfNull(mask);
        var result = new long[size * size];
        ResizeMask(mask, width, height, size, result);
        return Array.ConvertAll(result, v => (int)v);
    }

    private static void ResizeMask(ReadOnlySpan<int> mask, int width, int height, int size, Span<long> destination)
    {
        for (int y = 0; y < size; y++)
        {
            int sy = Math.Min(height - 1, (int)((y + 0.5) * height / size));
            for (int x = 0; x < size; x++)
            {
                int sx = Math.Min(width - 1, (int)((x + 0.5) * width / size));
                destination[y * size + x] = mask[sy * width + sx];
            }
        }
    }
}
