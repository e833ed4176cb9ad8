using MLNetDeep.Persistence;
using MLNetDeep.Tensors;

namespace MLNetDeep.Estimators.Sequence;

/// <summary>Writes and reads a <see cref="SequenceNetwork"/>'s shape (options) and weights (tensors) in a model file.</summary>
internal static class SequenceNetworkPersistence
{
    public static void Save(ModelSaveContext context, SequenceNetwork net)
    {
        context.Options["vocabularySize"] = net.VocabularySize;
        context.Options["embeddingDimension"] = net.Embedding.EmbeddingDim;
        context.Options["cell"] = net.Cell.ToString();
        context.Options["hiddenSize"] = net.Recurrent.HiddenSize;
        context.Options["layers"] = net.Recurrent.NumLayers;
        context.Options["bidirectional"] = net.Recurrent.Bidirectional;
        context.Options["pooling"] = net.Pooling.ToString();
        context.Options["outputs"] = net.Outputs;
        foreach (var (name, t) in net.StateDict()) context.AddTensor(name, t);
    }

    public static SequenceNetwork Load(ModelLoadContext c)
    {
        int vocab = c.GetInt("vocabularySize"), dim = c.GetInt("embeddingDimension"), hidden = c.GetInt("hiddenSize"), layers = c.GetInt("layers"), outputs = c.GetInt("outputs");
        if (vocab < 1 || dim < 1 || hidden < 1 || layers < 1 || outputs < 1) throw c.Error("outputs", "sizes must be positive.");
        if (!Enum.TryParse<SequenceCellType>(c.GetString("cell"), out var cell) || !Enum.IsDefined(cell)) throw c.Error("cell", $"unknown cell '{c.GetString("cell")}'.");
        if (!Enum.TryParse<SequencePooling>(c.GetString("pooling"), out var pooling) || !Enum.IsDefined(pooling)) throw c.Error("pooling", $"unknown pooling '{c.GetString("pooling")}'.");
        var net = new SequenceNetwork(vocab, dim, cell, hidden, layers, c.GetBool("bidirectional"), pooling, 0, outputs, new Generator(0));
        net.LoadStateDict(c.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value), strict: true);
        net.Eval();
        return net;
    }
}
