using System.Diagnostics.CodeAnalysis;
using MLNetDeep.Data;
using MLNetDeep.Tensors;

namespace MLNetDeep.Onnx.Scoring;

/// <summary>
/// The output of an <see cref="OnnxTransformer"/>: reads ahead up to <see cref="OnnxTransformer.BatchSize"/>
/// rows, stacks each input column into one tensor (rows of a variable-length vector column are padded with
/// zeros to the longest row of the batch), runs the model once and splits the outputs back into rows.
/// </summary>
internal sealed class OnnxScoredView(OnnxTransformer model, IDataView source, DataViewSchema schema) : BatchScoredView(source, schema)
{
    protected override BatchScoringCursor CreateCursor(DataViewRowCursor inner, DataViewSchema schema) => new Cursor(model, inner, schema);

    private sealed class Cursor : BatchScoringCursor
    {
        private readonly OnnxTransformer _model;
        private readonly OnnxSession _session;
        private readonly int[] _inputIndex, _outputOf;
        private Array[][] _outputs = []; // [output][row]

        public Cursor(OnnxTransformer model, DataViewRowCursor inner, DataViewSchema schema)
            : base(inner, schema, BatchSizeFor(model))
        {
            _model = model;
            _session = new OnnxSession(model.Model);
            _inputIndex = model.Inputs.Select(b => inner.Schema[b.Name].Index).ToArray();
            _outputOf = schema.Select(c => model.Outputs.FindIndex(o => o.Name == c.Name)).ToArray();
        }

        // Rows go one at a time when any input or output has no batch axis or a batch axis fixed at 1.
        private static int BatchSizeFor(OnnxTransformer model) =>
            model.Inputs.Concat(model.Outputs).All(b => b.Batched && !b.SingleRow) ? model.BatchSize : 1;

        protected override void ScoreBatch() => RunBatch();

        private void RunBatch()
        {
            var feeds = new Dictionary<string, OnnxValue>(StringComparer.Ordinal);
            for (int k = 0; k < _model.Inputs.Count; k++) feeds[_model.Inputs[k].Name] = Stack(_model.Inputs[k], _inputIndex[k]);
            var results = _session.Run(feeds, _model.Outputs.Select(o => o.Name));
            _outputs = new Array[_model.Outputs.Count][];
            for (int k = 0; k < _model.Outputs.Count; k++)
            {
                var b = _model.Outputs[k];
                var t = results[b.Name].Tensor;
                int n = Rows.Count;
                if (b.Batched && (t.Rank == 0 || t.Size(0) != n))
                    throw new OnnxScoringException(b.Name, $"ApplyOnnxModel: model output '{b.Name}' has shape [{string.Join(",", t.Shape.ToArray())}] for a batch of {n} rows; its first axis must be the batch axis.");
                int per = b.Batched ? (int)(t.Numel / n) : (int)t.Numel;
                int fixedSize = b.FixedRowSize;
                if (fixedSize > 0 && per != fixedSize)
                    throw new OnnxScoringException(b.Name, $"ApplyOnnxModel: model output '{b.Name}' gives {per} values per row, its declared shape says {fixedSize}.");
                var rows = new Array[n];
                if (t.DType == DType.Float32)
                {
                    var data = t.ToArray<float>();
                    for (int r = 0; r < n; r++) rows[r] = data.AsSpan(b.Batched ? r * per : 0, per).ToArray();
                }
                else
                {
                    var data = t.DType == DType.Int64 ? t.ToArray<long>() : throw new OnnxScoringException(b.Name, $"ApplyOnnxModel: model output '{b.Name}' is {t.DType}.");
                    for (int r = 0; r < n; r++) rows[r] = data.AsSpan(b.Batched ? r * per : 0, per).ToArray();
                }
                _outputs[k] = rows;
            }
        }

        // One input tensor for the batch: [rows, ...row shape], variable axis = longest row (zero padded).
        private OnnxValue Stack(OnnxColumnBinding b, int column)
        {
            int n = Rows.Count;
            int longest = 0;
            foreach (var row in Rows) longest = Math.Max(longest, Length(row[column]));
            int fixedPart = b.RowShape.Aggregate(1, (a, d) => a * (d ?? 1));
            int per = b.RowShape.Any(d => d is null) ? fixedPart * Math.Max(1, (longest + fixedPart - 1) / fixedPart) : fixedPart;
            if (b.RowShape.Any(d => d is null) && longest % fixedPart != 0)
                throw new SchemaMismatchException(b.Name, $"ApplyOnnxModel: column '{b.Name}' has a row of {longest} values, not a multiple of model input '{b.Name}''s fixed part ({fixedPart}).");
            var shape = b.RowShape.Select(d => d ?? per / fixedPart).ToList();
            if (b.Batched) shape.Insert(0, n);
            bool isFloat = b.ElementType == OnnxElementType.Float;
            var floats = isFloat ? new float[n * per] : [];
            var longs = isFloat ? [] : new long[n * per];
            for (int r = 0; r < n; r++)
            {
                object v = Rows[r][column];
                int len = Length(v);
                if (b.FixedRowSize > 0 && len != per)
                    throw new SchemaMismatchException(b.Name, $"ApplyOnnxModel: column '{b.Name}' row {Position + 1 + r} has {len} values, model input '{b.Name}' takes {per}.");
                int o = r * per;
                switch (v)
                {
                    case float f: floats[o] = f; break;
                    case float[] fa: fa.CopyTo(floats, o); break;
                    case long l: longs[o] = l; break;
                    case long[] la: la.CopyTo(longs, o); break;
                    case int i: longs[o] = i; break;
                    case int[] ia: for (int j = 0; j < ia.Length; j++) longs[o + j] = ia[j]; break;
                    case uint u: longs[o] = u; break;
                    case uint[] ua: for (int j = 0; j < ua.Length; j++) longs[o + j] = ua[j]; break;
                    default: throw new SchemaMismatchException(b.Name, $"ApplyOnnxModel: column '{b.Name}' holds {v.GetType().Name} values.");
                }
            }
            var dims = shape.ToArray();
            var tensor = isFloat ? Tensor.FromArray(floats, dims) : Tensor.FromArray(longs, dims);
            return new OnnxValue(tensor, b.ElementType);
        }

        private static int Length(object v) => v is Array a ? a.Length : 1;

        protected override bool TryGetScoredValue(int columnIndex, [MaybeNullWhen(false)] out object value)
        {
            int k = _outputOf[columnIndex];
            value = k >= 0 ? _outputs[k][RowInBatch].Clone() : null;
            return k >= 0;
        }
    }
}
