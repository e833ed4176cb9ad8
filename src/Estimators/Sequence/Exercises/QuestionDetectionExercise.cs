using MLNetDeep.Data;

namespace MLNetDeep.Estimators.Sequence.Exercises;

/// <summary>Settings of <see cref="QuestionDetectionExercise"/>.</summary>
public sealed class QuestionDetectionOptions
{
    /// <summary>Corpus directory (train.en, dev.en).</summary>
    public string CorpusDirectory { get; set; } = "";

    /// <summary>Training sentences (first lines of train.en).</summary>
    public int TrainSentences { get; set; } = 20_000;

    /// <summary>Evaluation sentences (dev.en and test.en, up to this many).</summary>
    public int TestSentences { get; set; } = 1000;

    /// <summary>Vocabulary size, "&lt;unk&gt;" included.</summary>
    public int MaxVocabulary { get; set; } = 3000;

    /// <summary>The classifier's settings (label/tokens columns are set by the exercise).</summary>
    public SequenceClassifierOptions Classifier { get; set; } = new() { NumberOfEpochs = 3, Pooling = SequencePooling.Last, Seed = 1 };

    /// <summary>Weight classes by inverse frequency (questions are about 12% of the corpus).</summary>
    public bool BalanceClasses { get; set; } = true;

    /// <summary>Seed.</summary>
    public int Seed { get; set; } = 1;
}

/// <summary>Outcome: the test metrics, the majority-class accuracy, and the trained pipeline.</summary>
/// <param name="Metrics">Accuracy, macro-F1 and confusion matrix on the test sentences.</param>
/// <param name="MajorityAccuracy">Accuracy of always answering the most frequent training label.</param>
/// <param name="LabelNames">Class names in key order.</param>
/// <param name="Model">The fitted pipeline (tokenize, keys, classifier).</param>
public sealed record QuestionDetectionResult(SequenceClassificationMetrics Metrics, double MajorityAccuracy, IReadOnlyList<string> LabelNames, ITransformer Model);

/// <summary>
/// A sequence-classification task derived from the corpus: is a sentence a question? The label is
/// "question" when the sentence's last token is "?", else "statement"; the final punctuation token
/// ("?", ".", "!") is then removed from the input, so the model must decide from the words (word order,
/// auxiliaries, wh-words), not from the mark.
/// </summary>
public static class QuestionDetectionExercise
{
    /// <summary>The labelled row of a corpus line (see the class summary).</summary>
    public static SentenceRow Label(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        bool question = words.Length > 0 && words[^1] == "?";
        int keep = words.Length > 1 && words[^1] is "?" or "." or "!" ? words.Length - 1 : words.Length;
        return new SentenceRow { Text = string.Join(' ', words.Take(keep)), Label = question ? "question" : "statement" };
    }

    /// <summary>Trains on train.en and evaluates on dev.en + test.en.</summary>
    public static QuestionDetectionResult Run(QuestionDetectionOptions options, DeepContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var ctx = context ?? new DeepContext(options.Seed);
        var trainRows = EnjaCorpus.ReadLines(Path.Combine(options.CorpusDirectory, "train.en"), options.TrainSentences).Select(Label).ToList();
        var testRows = EnjaCorpus.ReadLines(Path.Combine(options.CorpusDirectory, "dev.en"))
            .Concat(EnjaCorpus.ReadLines(Path.Combine(options.CorpusDirectory, "test.en"))).Take(options.TestSentences).Select(Label).ToList();
        var o = options.Classifier;
        o.LabelColumnName = "LabelKey";
        o.TokensColumnName = "Tokens";
        double questions = trainRows.Count(r => r.Label == "question") / (double)trainRows.Count;
        var featurize = EnjaCorpus.Featurizer(ctx, options.MaxVocabulary).Append(ctx.Transforms.Conversion.MapValueToKey("LabelKey", "Label"));
        var train = ctx.Data.LoadFromEnumerable(trainRows);
        var featurizer = featurize.Fit(train);
        var labelNames = featurizer.GetOutputSchema(train.Schema)["LabelKey"].KeyValues!;
        if (options.BalanceClasses)
            o.ClassWeights = labelNames.Select(n => (float)(0.5 / (n == "question" ? questions : 1 - questions))).ToArray();
        var classifier = ctx.Text.Trainers.SequenceClassifier(o).Fit(featurizer.Transform(train));
        var model = featurizer.Append<ITransformer>(classifier);
        var scored = model.Transform(ctx.Data.LoadFromEnumerable(testRows));
        var metrics = classifier.Evaluate(scored, "LabelKey");
        string majorityLabel = questions < 0.5 ? "statement" : "question";
        double majority = testRows.Count(r => r.Label == majorityLabel) / (double)testRows.Count;
        return new QuestionDetectionResult(metrics, majority, labelNames, model);
    }
}
