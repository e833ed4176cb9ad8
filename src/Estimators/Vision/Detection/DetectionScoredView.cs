using System.Diagnostics.CodeAnalysis;
using MLNetDeep.Data;
using MLNetDeep.Tensors;

namespace MLNetDeep.Estimators.Vision.Detection;

/// <summary>The output of an <see cref="ObjectDetectionTransformer"/>: reads ahead a batch of images and detects in one forward pass.</summary>
internal sealed class DetectionScoredView(ObjectDetectionTransformer model, IDataView source, DataViewSchema schema) : BatchScoredView(source, schema)
{
    protected override BatchScoringCursor CreateCursor(DataViewRowCursor inner, DataViewSchema schema) => new Cursor(model, inner, schema);

    private sealed class Cursor : BatchScoringCursor
    {
        private readonly ObjectDetectionTransformer _model;
        private readonly int _image, _boxes, _labels, _scores;
        private BoundingBox[][] _found = [];

        public Cursor(ObjectDetectionTransformer model, DataViewRowCursor inner, DataViewSchema schema)
            : base(inner, schema, ObjectDetectionTransformer.ScoringBatchSize)
        {
            _model = model;
            _image = inner.Schema[model.ImageColumnName].Index;
            _boxes = schema[model.PredictedBoxesColumnName].Index;
            _labels = schema[model.PredictedLabelsColumnName].Index;
            _scores = schema[model.PredictedScoresColumnName].Index;
        }

        protected override void ScoreBatch() => _found = _model.Predict(Rows.Select(r => (Tensor)r[_image]).ToList());

        protected override bool TryGetScoredValue(int columnIndex, [MaybeNullWhen(false)] out object value)
        {
            var found = _found[RowInBatch];
            if (columnIndex == _boxes) value = found.ToArray();
            else if (columnIndex == _labels) value = found.Select(b => (uint)b.Label).ToArray();
            else if (columnIndex == _scores) value = found.Select(b => b.Score).ToArray();
            else
            {
                value = null;
                return false;
            }
            return true;
        }
    }
}
