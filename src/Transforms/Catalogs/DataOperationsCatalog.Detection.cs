using MLNetDeep.Data;

namespace MLNetDeep;

/// <summary>Detection data: generated scenes and Pascal VOC / COCO loaders (columns Image, Width, Height, Boxes, Labels, Mask/ImagePath).</summary>
public sealed partial class DataOperationsCatalog
{
    /// <summary>
    /// Scenes of Fashion-MNIST items pasted on cluttered backgrounds (see <see cref="DetectionSceneGenerator"/>), with
    /// boxes and per-pixel class masks. Columns: Image, Width, Height, Boxes, Labels (key ids 1..10 named after the
    /// Fashion-MNIST classes) and Mask. Rows are generated when read, each from (seed, row index).
    /// </summary>
    /// <param name="options">Sizes, counts, seed, Fashion-MNIST location and split.</param>
    /// <exception cref="FileNotFoundException">Fashion-MNIST is not found (set MLNETDEEP_FASHION_MNIST).</exception>
    public IDataView GenerateDetectionScenes(DetectionSceneOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return GenerateDetectionScenes(SceneObjectSet.FromFashionMnist(options.FashionMnistDirectory, options.UseTestItems), options);
    }

    /// <summary>Generated scenes of the given object images (same columns as the Fashion-MNIST overload).</summary>
    /// <param name="objects">The items to paste.</param>
    /// <param name="options">Sizes, counts, seed.</param>
    public IDataView GenerateDetectionScenes(SceneObjectSet objects, DetectionSceneOptions options)
    {
        var generator = new DetectionSceneGenerator(objects, options);
        return new DetectionDataView(new GeneratedSceneSource(generator, options), objects.ClassNames);
    }

    /// <summary>
    /// A folder of Pascal VOC XML annotations and their images. Columns: Image (decoded when read; PNG or JPEG),
    /// Width, Height, Boxes, Labels, ImagePath.
    /// </summary>
    /// <param name="annotationsDirectory">The folder of <c>*.xml</c> files.</param>
    /// <param name="imagesDirectory">Where the <c>&lt;filename&gt;</c>s are; null: a sibling <c>JPEGImages</c> folder if present, else the annotation folder.</param>
    /// <param name="classNames">Class names (key id k = classNames[k − 1]); null: the names found, sorted ordinally.</param>
    /// <param name="includeDifficult">Keep objects marked <c>&lt;difficult&gt;1&lt;/difficult&gt;</c>.</param>
    /// <exception cref="DataLoadException">An annotation is malformed, names an unknown class or a missing image (the message names file, line and element).</exception>
    public IDataView LoadPascalVoc(string annotationsDirectory, string? imagesDirectory = null, IReadOnlyList<string>? classNames = null, bool includeDifficult = false)
    {
        var (images, names) = PascalVocLoader.Load(annotationsDirectory, imagesDirectory, classNames, includeDifficult);
        return new DetectionDataView(new AnnotatedImageSource(images), names);
    }

    /// <summary>COCO JSON detection annotations and their images (same columns as <see cref="LoadPascalVoc"/>).</summary>
    /// <param name="annotationFile">The JSON file.</param>
    /// <param name="imagesDirectory">Where the <c>file_name</c>s are; null: the JSON file's folder.</param>
    /// <param name="includeCrowd">Keep annotations with <c>iscrowd</c> = 1.</param>
    /// <exception cref="DataLoadException">The JSON is malformed or inconsistent (the message names the file and the JSON path).</exception>
    public IDataView LoadCocoJson(string annotationFile, string? imagesDirectory = null, bool includeCrowd = false)
    {
        var (images, names) = CocoJsonLoader.Load(annotationFile, imagesDirectory, includeCrowd);
        return new DetectionDataView(new AnnotatedImageSource(images), names);
    }
}
