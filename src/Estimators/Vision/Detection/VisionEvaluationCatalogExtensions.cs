using MLNetDeep.Data;
using MLNetDeep.Estimators.Vision.Detection;
using MLNetDeep.Estimators.Vision.Segmentation;

namespace MLNetDeep;

/// <summary>Detection and segmentation evaluation on <c>ctx.Vision</c>.</summary>
public static class VisionEvaluationCatalogExtensions
{
    /// <summary>
    /// VOC mAP@0.5 and COCO mAP@[.5:.95] of predicted boxes against ground truth (see <see cref="DetectionEvaluator"/>).
    /// Class names come from <paramref name="classNames"/> or else from the key values of a <c>Labels</c> column.
    /// </summary>
    /// <param name="catalog">The vision catalog.</param>
    /// <param name="data">Rows with both box columns.</param>
    /// <param name="labelColumnName">Ground-truth <c>BoundingBoxes</c> column.</param>
    /// <param name="predictedBoxesColumnName">Predicted <c>BoundingBoxes</c> column (with scores).</param>
    /// <param name="classNames">Names by key id (id k is <c>classNames[k − 1]</c>), or null.</param>
    /// <param name="maxDetectionsPerImage">COCO cap per image and class.</param>
    /// <exception cref="SchemaMismatchException">A column is missing or is not a box column.</exception>
    public static DetectionMetrics EvaluateDetector(this VisionCatalog catalog, IDataView data, string labelColumnName = "Boxes",
        string predictedBoxesColumnName = "PredictedBoxes", IReadOnlyList<string>? classNames = null, int maxDetectionsPerImage = 100)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        var truthColumn = BoxColumn(data.Schema, labelColumnName);
        var predictedColumn = BoxColumn(data.Schema, predictedBoxesColumnName);
        classNames ??= data.Schema.GetColumnOrNull("Labels")?.KeyValues;
        var truth = new List<IReadOnlyList<BoundingBox>>();
        var predicted = new List<IReadOnlyList<BoundingBox>>();
        using (var cursor = data.GetRowCursor([truthColumn, predictedColumn]))
        {
            while (cursor.MoveNext())
            {
                truth.Add(cursor.GetValue<BoundingBox[]>(truthColumn));
                predicted.Add(cursor.GetValue<BoundingBox[]>(predictedColumn));
            }
        }
        return DetectionEvaluator.Evaluate(truth, predicted, classNames, maxDetectionsPerImage);
    }

    /// <summary>Pixel accuracy and mean IoU of predicted masks against true masks (class ids per pixel, 0 = background).</summary>
    /// <param name="catalog">The vision catalog.</param>
    /// <param name="data">Rows with both mask columns.</param>
    /// <param name="numberOfClasses">Classes including the background.</param>
    /// <param name="labelColumnName">True mask column (<c>Vector&lt;Int32&gt;</c>).</param>
    /// <param name="predictedMaskColumnName">Predicted mask column (<c>Vector&lt;Int32&gt;</c>).</param>
    /// <param name="classNames">Names by class id (0 = background), or null.</param>
    /// <exception cref="SchemaMismatchException">A column is missing or is not an Int32 vector.</exception>
    public static SegmentationMetrics EvaluateSegmenter(this VisionCatalog catalog, IDataView data, int numberOfClasses, string labelColumnName = "Mask",
        string predictedMaskColumnName = "PredictedMask", IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        var truthColumn = MaskColumn(data.Schema, labelColumnName);
        var predictedColumn = MaskColumn(data.Schema, predictedMaskColumnName);
        var evaluator = new SegmentationEvaluator(numberOfClasses);
        using (var cursor = data.GetRowCursor([truthColumn, predictedColumn]))
        {
            while (cursor.MoveNext())
            {
                try
                {
                    evaluator.Add(cursor.GetValue<int[]>(truthColumn), cursor.GetValue<int[]>(predictedColumn));
                }
                catch (ArgumentException e)
                {
                    throw new ArgumentException($"Row {cursor.Position} of '{labelColumnName}'/'{predictedMaskColumnName}': {e.Message}", nameof(data), e);
                }
            }
        }
        return evaluator.GetMetrics(classNames);
    }

    private static DataViewSchema.Column BoxColumn(DataViewSchema schema, string name)
    {
        var column = schema[name];
        if (column.Type is not BoundingBoxDataViewType)
            throw new SchemaMismatchException(name, $"Column '{name}' holds {column.Type}; a BoundingBoxes column is needed.");
        return column;
    }

    private static DataViewSchema.Column MaskColumn(DataViewSchema schema, string name)
    {
        var column = schema[name];
        if (column.Type is not VectorDataViewType { ItemType: var item } || !item.Equals(NumberDataViewType.Int32))
            throw new SchemaMismatchException(name, $"Column '{name}' holds {column.Type}; a mask column of Int32 class ids (Vector<Int32>) is needed.");
        return column;
    }
}
