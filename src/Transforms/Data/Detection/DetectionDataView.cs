namespace MLNetDeep.Data;

/// <summary>Where a <see cref="DetectionDataView"/> reads its rows: a scene generator or an annotation loader.</summary>
internal interface IDetectionSource
{
    /// <summary>Number of rows.</summary>
    int Count { get; }

    /// <summary>Whether scenes carry masks (a Mask column).</summary>
    bool HasMasks { get; }

    /// <summary>The image type: fixed size or variable (0, 0).</summary>
    ImageDataViewType ImageType { get; }

    /// <summary>Whether rows come from image files (an ImagePath column).</summary>
    bool HasImagePaths { get; }

    /// <summary>The image file of a row, or null for generated scenes (no ImagePath column).</summary>
    string? ImagePath(int row);

    /// <summary>Row <paramref name="row"/>; the pixels are decoded only when <paramref name="decodeImage"/>.</summary>
    DetectionScene Read(int row, bool decodeImage);
}

/// <summary>
/// Detection rows as an <see cref="IDataView"/>: <c>Image</c> (RGB tensor), <c>Width</c>, <c>Height</c>, <c>Boxes</c>
/// (labels are class key ids), <c>Labels</c> (Vector&lt;Key&gt; with the class names as key values), <c>Mask</c>
/// (Vector&lt;Int32&gt;, H·W class ids, 0 = background) when the source has masks, and <c>ImagePath</c> for files.
/// Rows are read lazily, by index, so the view shuffles exactly; images are decoded only when the Image column is read.
/// </summary>
internal sealed class DetectionDataView : IDataView
{
    private readonly IDetectionSource _source;
    private readonly int _image, _width, _height, _boxes, _labels, _mask, _path;

    public DetectionDataView(IDetectionSource source, IReadOnlyList<string> classNames)
    {
        _source = source;
        var columns = new List<(string, DataViewType, IReadOnlyList<string>?)>
        {
            ("Image", source.ImageType, null),
            ("Width", NumberDataViewType.Int32, null),
            ("Height", NumberDataViewType.Int32, null),
            ("Boxes", BoundingBoxDataViewType.Instance, null),
            ("Labels", new VectorDataViewType(new KeyDataViewType((ulong)classNames.Count)), classNames),
        };
        (_image, _width, _height, _boxes, _labels) = (0, 1, 2, 3, 4);
        _mask = _path = -1;
        if (source.HasMasks)
        {
            _mask = columns.Count;
            columns.Add(("Mask", new VectorDataViewType(NumberDataViewType.Int32), null));
        }
        if (source.HasImagePaths)
        {
            _path = columns.Count;
            columns.Add(("ImagePath", TextDataViewType.Instance, null));
        }
        Schema = new DataViewSchema(columns);
    }

    public DataViewSchema Schema { get; }

    public bool CanShuffle => true;

    public long? GetRowCount() => _source.Count;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column>? columnsNeeded = null, Random? random = null)
    {
        bool decode = columnsNeeded is null || columnsNeeded.Any(c => c.Index == _image);
        int[]? order = null;
        if (random is not null)
        {
            order = Enumerable.Range(0, _source.Count).ToArray();
            random.Shuffle(order);
        }
        return new Cursor(this, order, decode);
    }

    private sealed class Cursor(DetectionDataView owner, int[]? order, bool decode) : DataViewRowCursor
    {
        private long _position = -1;
        private DetectionScene? _scene;

        public override DataViewSchema Schema => owner.Schema;

        public override long Position => _position;

        public override bool MoveNext()
        {
            if (_position + 1 >= owner._source.Count) return false;
            _position++;
            _scene = null;
            return true;
        }

        private int Row => order is null ? (int)_position : order[_position];

        public override object GetValue(int columnIndex)
        {
            if (_position < 0) throw new InvalidOperationException("Call MoveNext before reading values.");
            if ((uint)columnIndex >= (uint)owner.Schema.Count) throw new ArgumentOutOfRangeException(nameof(columnIndex));
            if (columnIndex == owner._path) return owner._source.ImagePath(Row)!;
            if (columnIndex == owner._image && !decode)
                throw new InvalidOperationException("The Image column was not among the columns this cursor was opened for.");
            var scene = _scene ??= owner._source.Read(Row, decode);
            if (columnIndex == owner._image) return scene.Image!;
            if (columnIndex == owner._width) return scene.Width;
            if (columnIndex == owner._height) return scene.Height;
            if (columnIndex == owner._boxes) return scene.Boxes.ToArray();
            if (columnIndex == owner._labels) return scene.Labels;
            return scene.Mask!.ToArray();
        }
    }
}
