using System.Diagnostics.CodeAnalysis;
using MLNetDeep.Data;

namespace MLNetDeep.Estimators.Translation;

/// <summary>The output of a <see cref="Seq2SeqTransformer"/>: reads ahead a batch of rows and translates them together.</summary>
internal sealed class TranslatedView(Seq2SeqTransformer model, IDataView source, DataViewSchema schema) : BatchScoredView(source, schema)
{
    protected override BatchScoringCursor CreateCursor(DataViewRowCursor inner, DataViewSchema schema) => new Cursor(model, inner, schema);

    private sealed class Cursor : BatchScoringCursor
    {
        private readonly Seq2SeqTransformer _model;
        private readonly int _source, _output, _nBest = -1, _nBestScores = -1;
        private string[] _translations = [];
        private string[][] _nBestValues = [];
        private float[][] _scores = [];

        public Cursor(Seq2SeqTransformer model, DataViewRowCursor inner, DataViewSchema schema)
            : base(inner, schema, Seq2SeqTransformer.TranslationBatchSize)
        {
            _model = model;
            _source = inner.Schema[model.SourceColumnName].Index;
            _output = schema[model.OutputColumnName].Index;
            if (model.NBest > 0) (_nBest, _nBestScores) = (schema[model.NBestColumnName].Index, schema[model.NBestScoresColumnName].Index);
        }

        protected override void ScoreBatch()
        {
            var sources = Rows.Select(r => (string?)r[_source] ?? "").ToList();
            if (_model.NBest == 0) _translations = _model.Translate(sources);
            else (_translations, _nBestValues, _scores) = _model.TranslateWithNBest(sources);
        }

        protected override bool TryGetScoredValue(int columnIndex, [MaybeNullWhen(false)] out object value)
        {
            if (columnIndex == _output)
            {
                value = _translations[RowInBatch];
                return true;
            }
            if (columnIndex == _nBest)
            {
                value = _nBestValues[RowInBatch];
                return true;
            }
            if (columnIndex == _nBestScores)
            {
                value = _scores[RowInBatch];
                return true;
            }
            value = null;
            return false;
        }
    }
}
