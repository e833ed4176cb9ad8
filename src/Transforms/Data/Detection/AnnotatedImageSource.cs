namespace MLNetDeep.Data;

/// <summary>One annotated image file: where it is, its declared size and its boxes (labels are class key ids).</summary>
/// <param name="ImagePath">The image file.</param>
/// <param name="Width">Declared width.</param>
/// <param name="Height">Declared height.</param>
/// <param name="Boxes">The objects.</param>
/// <param name="AnnotationSource">The annotation file (and entry) it came from, for messages.</param>
internal sealed record AnnotatedImage(string ImagePath, int Width, int Height, BoundingBox[] Boxes, string AnnotationSource);

/// <summary>Rows of annotated image files (Pascal VOC or COCO): annotations in memory, pixels decoded on read.</summary>
internal sealed class AnnotatedImageSource(IReadOnlyList<AnnotatedImage> images) : IDetectionSource
{
    public int Count => images.Count;

    public bool HasMasks => false;

    public bool HasImagePaths => true;

    public ImageDataViewType ImageType { get; } = new(3, 0, 0);

    public string? ImagePath(int row) => images[row].ImagePath;

    public DetectionScene Read(int row, bool decodeImage)
    {
        var a = images[row];
        if (!decodeImage) return new DetectionScene(null, a.Width, a.Height, a.Boxes);
        var image = ImageCodec.Load(a.ImagePath);
        if (image.Size(1) != a.Height || image.Size(2) != a.Width)
            throw new DataLoadException(a.ImagePath, 0, $"the image is {image.Size(2)}x{image.Size(1)} but {a.AnnotationSource} declares {a.Width}x{a.Height}.");
        return new DetectionScene(image, a.Width, a.Height, a.Boxes);
    }
}
