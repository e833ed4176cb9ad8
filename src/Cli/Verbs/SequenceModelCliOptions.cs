using System.CommandLine;
using MLNetDeep.Conversion;
using MLNetDeep.Data;
using MLNetDeep.Estimators.Sequence;

namespace MLNetDeep.Cli.Verbs;

/// <summary>The command-line options shared by <c>text classify train</c> and <c>text lm train</c>, and the featurizer both use.</summary>
internal sealed class SequenceModelCliOptions(SequenceCellType defaultCell, SequencePooling defaultPooling)
{
    public Option<FileInfo> Output { get; } = new("--output", "-o") { Description = "Where to write the model (.zip); written atomically.", Required = true };
    public Option<int> Epochs { get; } = new("--epochs") { Description = "Passes over the training data (NumberOfEpochs).", DefaultValueFactory = _ => 5 };
    public Option<int> BatchSize { get; } = new("--batch-size") { Description = "Examples per optimizer step (BatchSize).", DefaultValueFactory = _ => 64 };
    public Option<double> LearningRate { get; } = new("--learning-rate") { Description = "Adam learning rate (LearningRate).", DefaultValueFactory = _ => 0.005 };
    public Option<SequenceCellType> Cell { get; } = new("--cell") { Description = "Recurrent cell: Rnn, Lstm or Gru.", DefaultValueFactory = _ => defaultCell };
    public Option<int> Hidden { get; } = new("--hidden-size") { Description = "State width per direction.", DefaultValueFactory = _ => 64 };
    public Option<int> Layers { get; } = new("--layers") { Description = "Stacked recurrent layers.", DefaultValueFactory = _ => 1 };
    public Option<bool> Bidirectional { get; } = new("--bidirectional") { Description = "Add a backward direction." };
    public Option<SequencePooling> Pooling { get; } = new("--pooling") { Description = "Last, Mean, Max or Attention.", DefaultValueFactory = _ => defaultPooling };
    public Option<double> Dropout { get; } = new("--dropout") { Description = "Dropout between layers and on the pooled vector.", DefaultValueFactory = _ => 0 };
    public Option<int> Dimension { get; } = new("--embedding-dimension") { Description = "Width of the token embeddings.", DefaultValueFactory = _ => 64 };
    public Option<int> MaxVocabulary { get; } = new("--max-vocabulary") { Description = "Largest vocabulary, <unk> included (most frequent words kept).", DefaultValueFactory = _ => 10_000 };
    public Option<int> Seed { get; } = new("--seed") { Description = "Seed for weights and shuffling (same seed, same model).", DefaultValueFactory = _ => 1 };

    public void AddTo(Command c)
    {
        foreach (var o in new Option[] { Output, Epochs, BatchSize, LearningRate, Cell, Hidden, Layers, Bidirectional, Pooling, Dropout, Dimension, MaxVocabulary, Seed }) c.Add(o);
    }

    /// <summary>Copies the parsed values into <paramref name="o"/>.</summary>
    public T Fill<T>(T o, ParseResult r, IProgress<TrainingProgress> progress) where T : Estimators.Sequence.SequenceModelOptions
    {
        o.NumberOfEpochs = r.GetValue(Epochs);
        o.BatchSize = r.GetValue(BatchSize);
        o.LearningRate = r.GetValue(LearningRate);
        o.Cell = r.GetValue(Cell);
        o.HiddenSize = r.GetValue(Hidden);
        o.NumberOfLayers = r.GetValue(Layers);
        o.Bidirectional = r.GetValue(Bidirectional);
        o.Pooling = r.GetValue(Pooling);
        o.Dropout = r.GetValue(Dropout);
        o.EmbeddingDimension = r.GetValue(Dimension);
        o.Seed = r.GetValue(Seed);
        o.Progress = progress;
        return o;
    }

    /// <summary>Text → lower case → word tokens → keys (with "&lt;unk&gt;") in column Tokens.</summary>
    public EstimatorChain<ValueToKeyMappingTransformer> Featurizer(DeepContext ctx, ParseResult r) =>
        ctx.Transforms.Text.NormalizeText("Text")
            .Append(ctx.Transforms.Text.TokenizeIntoWords("Words", "Text"))
            .Append(ctx.Transforms.Conversion.MapValueToKey("Tokens", "Words", new ValueToKeyMappingOptions { MaximumNumberOfKeys = r.GetValue(MaxVocabulary), UnknownToken = "<unk>" }));
}
