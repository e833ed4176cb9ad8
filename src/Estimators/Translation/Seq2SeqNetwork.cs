using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;

namespace MLNetDeep.Estimators.Translation;

/// <summary>The architecture of a <see cref="Seq2SeqNetwork"/> (saved with the model).</summary>
/// <param name="Cell">Recurrent cell.</param>
/// <param name="Layers">Stacked layers in the encoder and the decoder.</param>
/// <param name="Bidirectional">Bidirectional encoder (directions summed).</param>
/// <param name="SourceVocabulary">Source ids (specials included).</param>
/// <param name="TargetVocabulary">Target ids (specials included).</param>
/// <param name="EmbeddingDimension">Embedding width.</param>
/// <param name="HiddenSize">Recurrent state width.</param>
/// <param name="Attention">Attention score.</param>
public sealed record Seq2SeqShape(Seq2SeqCell Cell, int Layers, bool Bidirectional, int SourceVocabulary, int TargetVocabulary,
    int EmbeddingDimension, int HiddenSize, Seq2SeqAttentionKind Attention);

/// <summary>Recurrent state between decoder calls: h [L, B, H] and, for LSTM, c.</summary>
/// <param name="H">Hidden states.</param>
/// <param name="C">LSTM cell states, else null.</param>
public sealed record DecoderState(Tensor H, Tensor? C)
{
    /// <summary>The states of the given batch rows (for beam search).</summary>
    public DecoderState Rows(Tensor index) => new(H.IndexSelect(1, index), C?.IndexSelect(1, index));
}

/// <summary>What the decoder attends to.</summary>
/// <param name="Keys">Encoder outputs [B, S, H] (zero at padding).</param>
/// <param name="KeysT">Keys transposed [B, H, S] (Luong scores).</param>
/// <param name="ProjectedKeys">W_k·keys + b [B, S, A] (Bahdanau), else null.</param>
/// <param name="Mask">Additive mask [B, 1, S]: 0 at source tokens, −1e9 at padding.</param>
public sealed record EncoderMemory(Tensor Keys, Tensor KeysT, Tensor? ProjectedKeys, Tensor Mask)
{
    /// <summary>The memory of the given batch rows (for beam search).</summary>
    public EncoderMemory Rows(Tensor index) => new(Keys.IndexSelect(0, index), KeysT.IndexSelect(0, index), ProjectedKeys?.IndexSelect(0, index), Mask.IndexSelect(0, index));
}

/// <summary>
/// RNN encoder–decoder with global attention applied after the decoder RNN (Luong et al. 2015 without input
/// feeding): the decoder runs over the target tokens, each output h_t attends over the encoder outputs
/// (dot, general or additive score, padding masked), and tanh(W_c[context; h_t]) is projected to the target
/// vocabulary. Because the attention does not feed back into the RNN, training runs the decoder RNN over
/// the whole target at once; decoding calls <see cref="Decode"/> one step at a time with the same math.
/// Id 0 is padding (zero embedding, no gradient).
/// </summary>
public sealed class Seq2SeqNetwork : Module
{
    /// <summary>Creates the network with PyTorch's default initializations.</summary>
    public Seq2SeqNetwork(Seq2SeqShape shape, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(generator);
        Shape = shape;
        int e = shape.EmbeddingDimension, h = shape.HiddenSize, l = shape.Layers;
        SourceEmbedding = RegisterModule("source_embedding", new Embedding(shape.SourceVocabulary, e, paddingIdx: 0, generator: generator));
        TargetEmbedding = RegisterModule("target_embedding", new Embedding(shape.TargetVocabulary, e, paddingIdx: 0, generator: generator));
        Encoder = RegisterModule<RecurrentModule>("encoder", shape.Cell == Seq2SeqCell.Gru
            ? new GRU(e, h, l, bidirectional: shape.Bidirectional, generator: generator)
            : new LSTM(e, h, l, bidirectional: shape.Bidirectional, generator: generator));
        Decoder = RegisterModule<RecurrentModule>("decoder", shape.Cell == Seq2SeqCell.Gru ? new GRU(e, h, l, generator: generator) : new LSTM(e, h, l, generator: generator));
        switch (shape.Attention)
        {
            case Seq2SeqAttentionKind.LuongDot: Luong = RegisterModule("attention", new LuongAttention(h, LuongScore.Dot, generator: generator)); break;
            case Seq2SeqAttentionKind.LuongGeneral: Luong = RegisterModule("attention", new LuongAttention(h, LuongScore.General, generator: generator)); break;
            case Seq2SeqAttentionKind.Bahdanau: Additive = RegisterModule("attention", new AdditiveAttention(h, h, generator: generator)); break;
        }
        if (shape.Attention != Seq2SeqAttentionKind.None) Combine = RegisterModule("combine", new Linear(2 * h, h, generator: generator));
        Output = RegisterModule("output", new Linear(h, shape.TargetVocabulary, generator: generator));
    }

    /// <summary>The architecture.</summary>
    public Seq2SeqShape Shape { get; }

    /// <summary>Source embeddings.</summary>
    public Embedding SourceEmbedding { get; }

    /// <summary>Target embeddings.</summary>
    public Embedding TargetEmbedding { get; }

    /// <summary>Encoder RNN (time-major).</summary>
    public RecurrentModule Encoder { get; }

    /// <summary>Decoder RNN (time-major).</summary>
    public RecurrentModule Decoder { get; }

    /// <summary>Luong attention parameters (general score), or null.</summary>
    public LuongAttention? Luong { get; }

    /// <summary>Bahdanau attention parameters, or null.</summary>
    public AdditiveAttention? Additive { get; }

    /// <summary>W_c of the attentional output, or null without attention.</summary>
    public Linear? Combine { get; }

    /// <summary>Projection to the target vocabulary.</summary>
    public Linear Output { get; }

    /// <summary>Dropout probability (training only).</summary>
    public double DropoutP { get; set; }

    /// <summary>Random source of dropout; the trainer sets a fresh one per epoch so a resumed run repeats it.</summary>
    public Generator? DropoutGenerator { get; set; }

    private Tensor Drop(Tensor x) => DropoutP > 0 && IsTraining ? F.Dropout(x, DropoutP, true, DropoutGenerator) : x;

    /// <summary>Encodes a batch: source ids [S, B] (0-padded) with their lengths → memory and the decoder's initial state.</summary>
    public (EncoderMemory Memory, DecoderState State) Encode(Tensor sourceIds, int[] lengths)
    {
        ArgumentNullException.ThrowIfNull(sourceIds);
        ArgumentNullException.ThrowIfNull(lengths);
        int s = sourceIds.Size(0), b = sourceIds.Size(1), h = Shape.HiddenSize, l = Shape.Layers;
        var x = Drop(SourceEmbedding.Forward(sourceIds));
        var r = Encoder is GRU gru ? gru.Forward(x, null, lengths) : ((LSTM)Encoder).Forward(x, null, null, lengths);
        Tensor outputs = r.Output, hn = r.HN;
        Tensor? cn = r.CN;
        if (Shape.Bidirectional)
        {
            outputs = outputs.Narrow(2, 0, h).Add(outputs.Narrow(2, h, h));
            hn = SumDirections(hn, l, b, h);
            cn = cn is null ? null : SumDirections(cn, l, b, h);
        }
        var keys = outputs.Transpose(0, 1).Contiguous();
        var mask = new float[b * s];
        for (int i = 0; i < b; i++)
            for (int t = lengths[i]; t < s; t++) mask[i * s + t] = -1e9f;
        var memory = new EncoderMemory(keys, keys.Transpose(1, 2).Contiguous(), Additive?.KeyProj.Forward(keys), Tensor.FromArray(mask, b, 1, s));
        return (memory, new DecoderState(hn, cn));
    }

    private static Tensor SumDirections(Tensor states, int layers, int batch, int hidden)
    {
        var both = states.Reshape(layers, 2, batch, hidden);
        return both.Select(1, 0).Add(both.Select(1, 1)).Contiguous();
    }

    /// <summary>Runs the decoder over target ids [T, B] from <paramref name="state"/>: logits [B, T, V] and the state after the last step.</summary>
    public (Tensor Logits, DecoderState State) Decode(Tensor targetIds, DecoderState state, EncoderMemory memory)
    {
        ArgumentNullException.ThrowIfNull(targetIds);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(memory);
        var x = Drop(TargetEmbedding.Forward(targetIds));
        var r = Decoder is GRU gru ? gru.Forward(x, state.H) : ((LSTM)Decoder).Forward(x, state.H, state.C);
        var queries = r.Output.Transpose(0, 1).Contiguous(); // [B, T, H]
        var features = Combine is null ? queries : Attend(queries, memory);
        return (Output.Forward(Drop(features)), new DecoderState(r.HN, r.CN));
    }

    /// <summary>tanh(W_c[context; q]) for queries [B, T, H], the context being the masked attention average of the keys.</summary>
    private Tensor Attend(Tensor queries, EncoderMemory memory)
    {
        Tensor scores;
        if (Additive is not null)
            scores = Additive.Energy.Forward(Additive.QueryProj.Forward(queries).Unsqueeze(2).Add(memory.ProjectedKeys!.Unsqueeze(1)).Tanh()).Squeeze(-1);
        else if (Luong!.Attn is not null)
            scores = Luong.Attn.Forward(queries).MatMul(memory.KeysT);
        else
            scores = queries.MatMul(memory.KeysT);
        var weights = F.Softmax(scores.Add(memory.Mask), -1);
        var context = weights.MatMul(memory.Keys);
        return Combine!.Forward(Tensor.Cat([context, queries], -1)).Tanh();
    }
}
