using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;

namespace MLNetDeep.Estimators.Sequence;

/// <summary>
/// Embedding (key k → row k; row 0, for key 0, stays zero) → stacked RNN/LSTM/GRU (optionally
/// bidirectional, batch-first, variable lengths) → pooling over the valid steps → dropout → Linear to
/// <see cref="Outputs"/> logits. Used by the sequence classifier (outputs = classes) and the next-word
/// predictor (outputs = vocabulary keys).
/// </summary>
public sealed class SequenceNetwork : Module
{
    /// <summary>Creates the network.</summary>
    public SequenceNetwork(int vocabularySize, int embeddingDimension, SequenceCellType cell, int hiddenSize, int layers, bool bidirectional,
        SequencePooling pooling, double dropout, int outputs, Generator? generator = null)
    {
        VocabularySize = vocabularySize;
        Cell = cell;
        Pooling = pooling;
        Outputs = outputs;
        Embedding = RegisterModule("embedding", new Embedding(vocabularySize + 1, embeddingDimension, paddingIdx: 0, generator: generator));
        double between = layers > 1 ? dropout : 0;
        Recurrent = RegisterModule("recurrent", cell switch
        {
            SequenceCellType.Lstm => (RecurrentModule)new LSTM(embeddingDimension, hiddenSize, layers, batchFirst: true, dropout: between, bidirectional: bidirectional, generator: generator),
            SequenceCellType.Gru => new GRU(embeddingDimension, hiddenSize, layers, batchFirst: true, dropout: between, bidirectional: bidirectional, generator: generator),
            _ => new RNN(embeddingDimension, hiddenSize, layers, batchFirst: true, dropout: between, bidirectional: bidirectional, generator: generator),
        });
        int features = hiddenSize * (bidirectional ? 2 : 1);
        if (pooling == SequencePooling.Attention) Attention = RegisterModule("attention", new Linear(features, 1, generator: generator));
        Dropout = RegisterModule("dropout", new Dropout(dropout, generator));
        Head = RegisterModule("head", new Linear(features, outputs, generator: generator));
    }

    /// <summary>Number of vocabulary keys (the embedding has one more row, for key 0).</summary>
    public int VocabularySize { get; }

    /// <summary>The recurrent cell.</summary>
    public SequenceCellType Cell { get; }

    /// <summary>The pooling.</summary>
    public SequencePooling Pooling { get; }

    /// <summary>Number of logits (classes or next-word keys).</summary>
    public int Outputs { get; }

    /// <summary>Token embeddings [vocabulary + 1, dimension]; row 0 is the zero vector of key 0.</summary>
    public Embedding Embedding { get; }

    /// <summary>The recurrent layers (batch-first).</summary>
    public RecurrentModule Recurrent { get; }

    /// <summary>Attention scorer (null unless <see cref="SequencePooling.Attention"/>).</summary>
    public Linear? Attention { get; }

    /// <summary>Dropout on the pooled vector, in training mode.</summary>
    public Dropout Dropout { get; }

    /// <summary>The output layer.</summary>
    public Linear Head { get; }

    /// <summary>Logits [B, outputs].</summary>
    public Tensor Forward(SequenceBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return Head.Forward(Dropout.Forward(Trace(batch).Pooled));
    }

    /// <summary>The intermediate values of a forward pass (the ONNX exporter's samples).</summary>
    internal (Tensor Embedded, Tensor Outputs, Tensor Pooled) Trace(SequenceBatch batch)
    {
        var x = Embedding.Forward(batch.Ids);
        var y = Recurrent switch
        {
            LSTM l => l.Forward(x, null, null, batch.Lengths).Output,
            GRU g => g.Forward(x, null, batch.Lengths).Output,
            RNN r => r.Forward(x, null, batch.Lengths).Output,
            _ => throw new InvalidOperationException("Unknown recurrent module."),
        };
        return (x, y, Pool(y, batch));
    }

    private Tensor Pool(Tensor y, SequenceBatch batch)
    {
        Tensor Weighted(Tensor v, Tensor w) => v.Mul(w.Unsqueeze(2)).Sum(1);
        switch (Pooling)
        {
            case SequencePooling.Last:
                if (!Recurrent.Bidirectional) return Weighted(y, batch.LastStep);
                int h = Recurrent.HiddenSize;
                return Tensor.Cat([Weighted(y.Narrow(2, 0, h), batch.LastStep), Weighted(y.Narrow(2, h, h), batch.FirstStep)], 1);
            case SequencePooling.Mean:
                var counts = Tensor.FromArray(Array.ConvertAll(batch.Lengths, l => 1f / l), batch.Size, 1);
                return Weighted(y, batch.Mask).Mul(counts);
            case SequencePooling.Max:
                return y.Add(batch.Mask.Sub(1).Mul(MaskPenalty).Unsqueeze(2)).Max(1);
            default:
                var scores = Attention!.Forward(y).Squeeze(2).Add(batch.Mask.Sub(1).Mul(MaskPenalty));
                return Weighted(y, F.Softmax(scores, 1));
        }
    }

    /// <summary>Added (negated) at padded steps before max or softmax pooling.</summary>
    internal const float MaskPenalty = 1e4f;
}
