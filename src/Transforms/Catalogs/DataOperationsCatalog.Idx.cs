using MLNetDeep.Data;

namespace MLNetDeep;

public sealed partial class DataOperationsCatalog
{
    /// <summary>
    /// Loads an image set stored as a pair of IDX files (MNIST, Fashion-MNIST; <c>.gz</c> accepted) into memory:
    /// <paramref name="imageColumnName"/> is Vector&lt;Single, height·width&gt; with pixels scaled to [0, 1],
    /// <paramref name="labelColumnName"/> a Key whose values are the class indices as text. The result is an
    /// <see cref="IdxDataView"/> (its <see cref="IdxDataView.ImageShape"/> gives [1, height, width]).
    /// </summary>
    /// <param name="imagesPath">The image file (3 dimensions: count, rows, columns).</param>
    /// <param name="labelsPath">The label file (1 dimension, as many labels as images).</param>
    /// <param name="imageColumnName">Name of the image column.</param>
    /// <param name="labelColumnName">Name of the label column.</param>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="DataLoadException">A file is not an IDX file of the expected rank, or the counts differ.</exception>
    public IdxDataView LoadFromIdx(string imagesPath, string labelsPath, string imageColumnName = "Image", string labelColumnName = "Label")
    {
        ArgumentException.ThrowIfNullOrEmpty(imagesPath);
        ArgumentException.ThrowIfNullOrEmpty(labelsPath);
        ArgumentException.ThrowIfNullOrEmpty(imageColumnName);
        ArgumentException.ThrowIfNullOrEmpty(labelColumnName);
        return new IdxDataView(IdxFile.Read(imagesPath), IdxFile.Read(labelsPath), imageColumnName, labelColumnName);
    }
}
