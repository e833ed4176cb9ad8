using System.Diagnostics.CodeAnalysis;
using MLNetDeep.Data;
using MLNetDeep.Tensors;

namespace MLNetDeep.Estimators.Vision.Segmentation;

/// <summary>The output of a <see cref="SemanticSegmentationTransformer"/>: reads ahead a batch of images and segments them in one forward pass.</summary>
internal sealed class SegmentationScoredView(SemanticSegmentationTransformer model, IDataView source, DataViewSchema schema) : BatchScoredView(source, schema)
{
    protected override BatchScoringCursor CreateCursor(DataViewRowCursor inner, DataViewSchema schema) => new Cursor(model, inner, schema);

    private sealed class Cursor : BatchScoringCursor
    {
        private readonly SemanticSegmentationTransformer _model;
        private readonly int _image, _mask;
        private int[][] _masks = [];

        public Cursor(SemanticSegmentationTransformer model, DataViewRowCursor inner, DataViewSchema schema)
            : base(inner, schema, SemanticSegmentationTransformer.ScoringBatchSize)
        {
            _model = model;
            _image = inner.Schema[model.ImageColumnName].Index;
            _mask = schema[model.PredictedMaskColumnName].Index;
        }

        protected override void ScoreBatch() => _masks = _model.Predict(Rows.Select(r => (Tensor)r[_image]).ToList());

        protected override bool TryGetScoredValue(int columnIndex, [MaybeNullWhen(false)] out object value)
        {
            if (columnIndex == _mask)
            {
                value = _masks[RowInBatch].Clone();
                return true;
            }
            value = null;
            return false;
        }
    }
}
