namespace MLNetDeep.Data;

/// <summary>Rows of a <see cref="DetectionSceneGenerator"/>: scene i is generated when row i is read.</summary>
internal sealed class GeneratedSceneSource(DetectionSceneGenerator generator, DetectionSceneOptions options) : IDetectionSource
{
    public int Count => generator.Count;

    public bool HasMasks => true;

    public bool HasImagePaths => false;

    public ImageDataViewType ImageType { get; } = generator.IsFixedSize
        ? new ImageDataViewType(3, options.MinImageSize, options.MinImageSize)
        : new ImageDataViewType(3, 0, 0);

    public string? ImagePath(int row) => null;

    public DetectionScene Read(int row, bool decodeImage) => generator.Generate(row);
}
