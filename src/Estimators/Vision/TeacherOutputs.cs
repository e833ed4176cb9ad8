using MLNetDeep.Data;
using MLNetDeep.Estimators.Compression;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;

namespace MLNetDeep.Estimators.Vision;

/// <summary>
/// The teacher's logits for each training batch: run on the (possibly augmented) batch itself when the teacher
/// is an <see cref="INetworkClassifier"/> and augmentation is on, otherwise computed once per example before
/// training (through the network, or from the teacher's Score column as log-probabilities for any other
/// transformer) and looked up by example index.
/// </summary>
internal sealed class TeacherOutputs
{
    private readonly Module<Tensor, Tensor>? _online;
    private readonly float[] _cached = [];
    private readonly int _classes;

    private TeacherOutputs(Module<Tensor, Tensor>? online, float[] cached, int classes) => (_online, _cached, _classes) = (online, cached, classes);

    /// <summary>Whether the teacher runs on every (augmented) batch.</summary>
    public bool IsOnline => _online is not null;

    public static TeacherOutputs Create(ITransformer teacher, IDataView input, ImageData train, string[] labels, bool augmented, string scoreColumn, string component)
    {
        int classes = labels.Length;
        if (teacher is INetworkClassifier network)
        {
            if (network.Labels.Count != classes || !network.Labels.SequenceEqual(labels))
                throw new ArgumentException($"{component}: the teacher's classes ({string.Join(", ", network.Labels)}) differ from the label column's ({string.Join(", ", labels)}).", nameof(teacher));
            if (!network.InputShape.SequenceEqual(train.Shape))
                throw new ArgumentException($"{component}: the teacher takes images of shape [{string.Join(", ", network.InputShape)}], the student [{string.Join(", ", train.Shape)}].", nameof(teacher));
            network.Network.Eval();
            if (augmented) return new TeacherOutputs(network.Network, [], classes);
            var cached = new float[train.Count * classes];
            int at = 0;
            using (Tensor.NoGrad())
                foreach (var (batch, _) in train.InOrder(256))
                {
                    var logits = network.Network.Forward(batch).ToArray<float>();
                    logits.CopyTo(cached, at);
                    at += logits.Length;
                }
            return new TeacherOutputs(null, cached, classes);
        }
        var scored = teacher.Transform(input);
        var column = scored.Schema.GetColumnOrNull(scoreColumn)
            ?? throw new SchemaMismatchException(scoreColumn, $"{component}: the teacher's output has no score column '{scoreColumn}'; it has {scored.Schema.Describe()}.");
        if (column.Type is not VectorDataViewType { ItemType: var item } || !item.Equals(NumberDataViewType.Single))
            throw new SchemaMismatchException(scoreColumn, $"{component}: the teacher's score column '{scoreColumn}' must be a Vector<Single> of class probabilities, got {column.Type}.");
        var byRow = new List<float[]>();
        using (var cursor = scored.GetRowCursor([column]))
            while (cursor.MoveNext())
            {
                var p = cursor.GetValue<float[]>(column);
                if (p.Length != classes)
                    throw new SchemaMismatchException(scoreColumn, $"{component}: the teacher's score column '{scoreColumn}' has {p.Length} values in row {cursor.Position}; the label has {classes} classes.");
                byRow.Add(p);
            }
        var logProbs = new float[train.Count * classes];
        for (int i = 0; i < train.Count; i++)
        {
            var p = byRow[train.SourceRows[i]];
            for (int k = 0; k < classes; k++) logProbs[i * classes + k] = MathF.Log(Math.Max(p[k], 1e-30f));
        }
        return new TeacherOutputs(null, logProbs, classes);
    }

    /// <summary>Teacher logits [n, classes] for the batch <paramref name="input"/> made of training examples <paramref name="indices"/>.</summary>
    public Tensor For(Tensor input, int[] indices)
    {
        if (_online is not null)
        {
            using (Tensor.NoGrad()) return _online.Forward(input).Detach();
        }
        var logits = new float[indices.Length * _classes];
        for (int i = 0; i < indices.Length; i++) _cached.AsSpan(indices[i] * _classes, _classes).CopyTo(logits.AsSpan(i * _classes));
        return Tensor.FromArray(logits, indices.Length, _classes);
    }
}
