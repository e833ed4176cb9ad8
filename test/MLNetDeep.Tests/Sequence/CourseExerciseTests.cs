using MLNetDeep.Estimators.Sequence;
using MLNetDeep.Estimators.Sequence.Exercises;
using NUnit.Framework;

namespace MLNetDeep.Tests.Sequence;

/// <summary>The course's recurrent exercises (samples/SequenceModels) with test-sized budgets, asserting their outcomes.</summary>
public class CourseExerciseTests
{
    [Test]
    public void BinaryAddition_SigmoidRnnIsPerfectOnHeldOutPairs_ReluCurveRecorded()
    {
        var sigmoid = BinaryAdditionExercise.Run(new BinaryAdditionOptions { Activation = HiddenActivation.Sigmoid, Iterations = 3000, Seed = 1 });
        var relu = BinaryAdditionExercise.Run(new BinaryAdditionOptions { Activation = HiddenActivation.Relu, Iterations = 3000, Seed = 1 });
        TestContext.Out.WriteLine("iteration  sigmoid loss/acc   relu loss/acc");
        for (int i = 0; i < sigmoid.Curve.Count; i++)
            TestContext.Out.WriteLine($"{sigmoid.Curve[i].Iteration,9}  {sigmoid.Curve[i].Loss:F4} {sigmoid.Curve[i].HeldOutAccuracy:P1}   {relu.Curve[i].Loss:F4} {relu.Curve[i].HeldOutAccuracy:P1}");
        Assert.That(sigmoid.HeldOutPairs, Is.EqualTo(3276));
        Assert.That(sigmoid.FinalHeldOutAccuracy, Is.EqualTo(1.0), "every held-out 8-bit sum right");
        Assert.That(sigmoid.Curve[0].HeldOutAccuracy, Is.LessThan(0.5), "it was learned, not given");
        Assert.That(relu.Curve, Has.Count.EqualTo(sigmoid.Curve.Count));
    }

    [Test]
    public void BinaryAddition_EncodesLeastSignificantBitFirst()
    {
        var (bits, sum) = BinaryAdditionExercise.Encode([(5, 3)]);
        Assert.That(bits.ToArray<float>(), Is.EqualTo(new float[] { 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }));
        Assert.That(sum.ToArray<float>(), Is.EqualTo(new float[] { 0, 0, 0, 1, 0, 0, 0, 0 }));
    }

    [Test]
    public void NextWord_LstmBeatsUnigramAndBigramOnValidation()
    {
        var result = NextWordExercise.Run(new NextWordExerciseOptions
        {
            CorpusDirectory = SequenceTestData.Corpus(),
            TrainSentences = 2500,
            ValidationSentences = 300,
            MaxVocabulary = 800,
            Architectures = [("LSTM", SequenceCellType.Lstm, false)],
            EmbeddingDimension = 48,
            HiddenSize = 64,
            BatchSize = 128,
            LearningRate = 0.008,
            NumberOfEpochs = 3,
        }, TestContext.Out.WriteLine);
        var lstm = result.Architectures.Single();
        var v = lstm.Epochs[^1].Validation;
        Assert.That(lstm.Epochs, Has.Count.EqualTo(3));
        Assert.That(v.Perplexity, Is.LessThan(result.Unigram.Perplexity));
        Assert.That(v.Perplexity, Is.LessThan(result.Bigram.Perplexity));
        Assert.That(v.Top1Accuracy, Is.GreaterThan(result.Unigram.Top1Accuracy));
        Assert.That(v.Top1Accuracy, Is.GreaterThan(result.Bigram.Top1Accuracy));
        Assert.That(v.Top5Accuracy, Is.GreaterThan(v.Top1Accuracy));
        Assert.That(result.Bigram.Perplexity, Is.LessThan(result.Unigram.Perplexity), "the baselines are sane");
        Assert.That(v.Examples, Is.EqualTo(result.Bigram.Examples), "same validation examples");

        // Top-k, generation and the transformer's own evaluation.
        var model = lstm.Model;
        var top = model.PredictNext(["i", "want", "to"], 5);
        Assert.That(top, Has.Count.EqualTo(5));
        Assert.That(top.Select(w => w.Probability), Is.Ordered.Descending);
        Assert.That(top.Sum(w => w.Probability), Is.LessThanOrEqualTo(1.0001f));
        Assert.That(model.Generate(["i", "want", "to"], 8, 0.8, seed: 4), Is.EqualTo(model.Generate(["i", "want", "to"], 8, 0.8, seed: 4)));
        var greedy = model.Generate(["i", "want", "to"], 1, temperature: 0);
        Assert.That(greedy, Is.EqualTo(new[] { top[0].Word }), "temperature 0 is the arg-max");
        Assert.Throws<ArgumentException>(() => model.PredictNext([], 3));
    }

    [Test]
    public void QuestionDetection_BeatsTheMajorityClass()
    {
        var result = QuestionDetectionExercise.Run(new QuestionDetectionOptions
        {
            CorpusDirectory = SequenceTestData.Corpus(),
            TrainSentences = 4000,
            TestSentences = 600,
            MaxVocabulary = 1500,
            Classifier = new SequenceClassifierOptions { NumberOfEpochs = 3, EmbeddingDimension = 32, HiddenSize = 32, LearningRate = 0.01, Seed = 1 },
        });
        TestContext.Out.WriteLine($"accuracy {result.Metrics.Accuracy:P1}, macro-F1 {result.Metrics.MacroF1:F3}, majority {result.MajorityAccuracy:P1}");
        Assert.That(result.Metrics.Rows, Is.EqualTo(600));
        Assert.That(result.Metrics.Accuracy, Is.GreaterThan(result.MajorityAccuracy));
        Assert.That(result.Metrics.MacroF1, Is.GreaterThan(0.75));
    }

    [Test]
    public void QuestionLabel_DropsTheFinalPunctuation()
    {
        Assert.That(QuestionDetectionExercise.Label("are you ok ?") is { Text: "are you ok", Label: "question" });
        Assert.That(QuestionDetectionExercise.Label("i am ok .") is { Text: "i am ok", Label: "statement" });
        Assert.That(QuestionDetectionExercise.Label("stop !") is { Text: "stop", Label: "statement" });
    }
}
