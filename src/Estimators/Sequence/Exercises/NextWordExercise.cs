using MLNetDeep.Data;

namespace MLNetDeep.Estimators.Sequence.Exercises;

/// <summary>Settings of <see cref="NextWordExercise"/>.</summary>
public sealed class NextWordExerciseOptions
{
    /// <summary>Corpus directory (train.en, dev.en).</summary>
    public string CorpusDirectory { get; set; } = "";

    /// <summary>Training sentences (the first lines of train.en).</summary>
    public int TrainSentences { get; set; } = 10_000;

    /// <summary>Validation sentences (the first lines of dev.en).</summary>
    public int ValidationSentences { get; set; } = 500;

    /// <summary>Vocabulary size, "&lt;unk&gt;" included.</summary>
    public int MaxVocabulary { get; set; } = 2000;

    /// <summary>Previous words seen (the course: 5).</summary>
    public int ContextSize { get; set; } = 5;

    /// <summary>Architectures to train.</summary>
    public IReadOnlyList<(string Name, SequenceCellType Cell, bool Bidirectional)> Architectures { get; set; } =
        [("LSTM", SequenceCellType.Lstm, false), ("GRU", SequenceCellType.Gru, false), ("BiGRU", SequenceCellType.Gru, true)];

    /// <summary>Embedding width.</summary>
    public int EmbeddingDimension { get; set; } = 64;

    /// <summary>State width per direction.</summary>
    public int HiddenSize { get; set; } = 128;

    /// <summary>Epochs per architecture.</summary>
    public int NumberOfEpochs { get; set; } = 5;

    /// <summary>Examples per step.</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>Adam learning rate.</summary>
    public double LearningRate { get; set; } = 0.003;

    /// <summary>Seed.</summary>
    public int Seed { get; set; } = 1;
}

/// <summary>One architecture's outcome.</summary>
/// <param name="Name">Architecture name.</param>
/// <param name="Epochs">Train (sampled) and validation metrics per epoch.</param>
/// <param name="Model">The trained model.</param>
public sealed record NextWordArchitectureResult(string Name, IReadOnlyList<NextWordEpochMetrics> Epochs, NextWordPredictionTransformer Model);

/// <summary>Outcome of the exercise.</summary>
/// <param name="Unigram">Unigram baseline on validation.</param>
/// <param name="Bigram">Bigram baseline on validation.</param>
/// <param name="BigramLambda">The bigram interpolation weight chosen.</param>
/// <param name="Architectures">Per architecture.</param>
/// <param name="Vocabulary">Vocabulary size.</param>
public sealed record NextWordExerciseResult(LanguageModelMetrics Unigram, LanguageModelMetrics Bigram, double BigramLambda,
    IReadOnlyList<NextWordArchitectureResult> Architectures, int Vocabulary);

/// <summary>
/// The course's next-word exercise: predict each word of small_parallel_enja's English sentences from the
/// previous 5, with LSTM, GRU and bidirectional GRU, and compare with unigram and bigram baselines on the
/// same vocabulary and validation split (dev.en).
/// </summary>
public static class NextWordExercise
{
    /// <summary>Runs the exercise; <paramref name="log"/> receives one line per epoch.</summary>
    public static NextWordExerciseResult Run(NextWordExerciseOptions options, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var ctx = new DeepContext(options.Seed);
        var trainView = ctx.Data.LoadFromEnumerable(EnjaCorpus.ReadLines(Path.Combine(options.CorpusDirectory, "train.en"), options.TrainSentences).Select(l => new SentenceRow { Text = l }).ToList());
        var validView = ctx.Data.LoadFromEnumerable(EnjaCorpus.ReadLines(Path.Combine(options.CorpusDirectory, "dev.en"), options.ValidationSentences).Select(l => new SentenceRow { Text = l }).ToList());
        var featurizer = EnjaCorpus.Featurizer(ctx, options.MaxVocabulary).Fit(trainView);
        var train = featurizer.Transform(trainView);
        var valid = featurizer.Transform(validView);
        var tokens = train.Schema["Tokens"];
        int vocab = Text.TokenColumns.KeyCount(tokens);
        var trainSentences = LanguageModelExamples.Sentences(train, "Tokens", "NextWordExercise").ToList();
        var validSentences = LanguageModelExamples.Sentences(valid, "Tokens", "NextWordExercise").ToList();
        var baselines = NgramBaselines.Fit(trainSentences, vocab);
        var unigram = baselines.EvaluateUnigram(validSentences);
        var (bigram, lambda) = baselines.EvaluateBigram(validSentences);
        log?.Invoke(FormattableString.Invariant($"vocabulary {vocab}; unigram ppl {unigram.Perplexity:F1} top1 {unigram.Top1Accuracy:P1}; bigram (λ={lambda}) ppl {bigram.Perplexity:F1} top1 {bigram.Top1Accuracy:P1}"));
        var results = new List<NextWordArchitectureResult>();
        foreach (var (name, cell, bidirectional) in options.Architectures)
        {
            var epochs = new List<NextWordEpochMetrics>();
            var trainer = ctx.Text.Trainers.NextWordPredictor(new NextWordPredictorOptions
            {
                Cell = cell,
                Bidirectional = bidirectional,
                ContextSize = options.ContextSize,
                EmbeddingDimension = options.EmbeddingDimension,
                HiddenSize = options.HiddenSize,
                NumberOfEpochs = options.NumberOfEpochs,
                BatchSize = options.BatchSize,
                LearningRate = options.LearningRate,
                Seed = options.Seed,
            });
            trainer.EpochMetrics = new Reporter<NextWordEpochMetrics>(m =>
            {
                epochs.Add(m);
                log?.Invoke(FormattableString.Invariant($"{name} epoch {m.Epoch}: train top1 {m.Train.Top1Accuracy:P1} ppl {m.Train.Perplexity:F1}; validation top1 {m.Validation.Top1Accuracy:P1} top5 {m.Validation.Top5Accuracy:P1} ppl {m.Validation.Perplexity:F1}"));
            });
            var model = trainer.Fit(train, valid);
            results.Add(new NextWordArchitectureResult(name, epochs, model));
        }
        return new NextWordExerciseResult(unigram, bigram, lambda, results, vocab);
    }
}
