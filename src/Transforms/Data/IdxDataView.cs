namespace MLNetDeep.Data;

/// <summary>
/// An image set read from a pair of IDX files (MNIST family) held in memory: an image column
/// (Vector&lt;Single, height·width&gt;, pixels scaled to [0, 1], row-major) and a Key label column whose key
/// values are the class indices as text ("0", "1", …). The image shape is in <see cref="ImageShape"/>;
/// trainers infer a square one-channel image from the vector length when they are not told otherwise.
/// Rows can be shuffled (a cursor with a <c>random</c> argument visits them in a permuted order).
/// </summary>
public sealed class IdxDataView : IDataView
{
    private readonly byte[] _pixels;
    private readonly byte[] _labels;
    private readonly int _imageSize;

    internal IdxDataView(IdxFile images, IdxFile labels, string imageColumnName, string labelColumnName)
    {
        if (images.Dimensions.Count != 3)
            throw new DataLoadException(images.Path, 0, $"an image file has 3 dimensions (count, rows, columns); this one has {images.Dimensions.Count}.");
        if (labels.Dimensions.Count != 1)
            throw new DataLoadException(labels.Path, 0, $"a label file has 1 dimension (count); this one has {labels.Dimensions.Count}.");
        if (images.Count != labels.Count)
            throw new DataLoadException(labels.Path, 0, $"{labels.Count} labels for {images.Count} images in '{images.Path}'.");
        if (string.Equals(imageColumnName, labelColumnName, StringComparison.Ordinal))
            throw new ArgumentException($"The image and label columns must have different names ('{imageColumnName}').", nameof(labelColumnName));
        _pixels = images.Data;
        _labels = labels.Data;
        _imageSize = images.ItemSize;
        ImageShape = [1, images.Dimensions[1], images.Dimensions[2]];
        int classes = _labels.Length == 0 ? 1 : _labels.Max() + 1;
        ClassNames = Enumerable.Range(0, classes).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Schema = new DataViewSchema([
            (imageColumnName, new VectorDataViewType(NumberDataViewType.Single, _imageSize), null),
            (labelColumnName, new KeyDataViewType((ulong)classes), ClassNames),
        ]);
    }

    /// <summary>The shape of one image: [channels (1), height, width].</summary>
    public IReadOnlyList<int> ImageShape { get; }

    /// <summary>The class names (key values of the label column): "0" … the largest label in the file.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Number of images.</summary>
    public int Count => _labels.Length;

    /// <inheritdoc/>
    public DataViewSchema Schema { get; }

    /// <inheritdoc/>
    public bool CanShuffle => true;

    /// <inheritdoc/>
    public long? GetRowCount() => Count;

    /// <inheritdoc/>
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column>? columnsNeeded = null, Random? random = null)
    {
        int[]? order = null;
        if (random is not null)
        {
            order = Enumerable.Range(0, Count).ToArray();
            random.Shuffle(order);
        }
        return new Cursor(this, order);
    }

    private sealed class Cursor(IdxDataView view, int[]? order) : DataViewRowCursor
    {
        private long _position = -1;

        public override DataViewSchema Schema => view.Schema;

        public override long Position => _position;

        public override bool MoveNext()
        {
            if (_position + 1 >= view.Count) return false;
            _position++;
            return true;
        }

        public override object GetValue(int columnIndex)
        {
            if (_position < 0 || _position >= view.Count) throw new InvalidOperationException("The cursor is not on a row.");
            int row = order is null ? (int)_position : order[_position];
            if (columnIndex == 1) return (uint)(view._labels[row] + 1);
            if (columnIndex != 0) throw new ArgumentOutOfRangeException(nameof(columnIndex), columnIndex, "The view has 2 columns.");
            var image = new float[view._imageSize];
            var source = view._pixels.AsSpan(row * view._imageSize, view._imageSize);
            for (int i = 0; i < image.Length; i++) image[i] = source[i] * (1f / 255f);
            return image;
        }
    }
}
