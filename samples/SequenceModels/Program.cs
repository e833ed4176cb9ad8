// The course's recurrent-network exercises, reproduced with MLNetDeep (docs/sequence.md has the figures):
//   dotnet run -c Release --project samples/SequenceModels -- addition   # 8-bit binary addition, sigmoid vs ReLU RNN
//   dotnet run -c Release --project samples/SequenceModels -- nextword   # next word from the previous 5: LSTM, GRU, BiGRU vs n-grams
//   dotnet run -c Release --project samples/SequenceModels -- question   # question vs statement classifier (final '?' removed)
// The corpus is found as ../shared/data/small_parallel_enja from the repository (or MLNETDEEP_ENJA_DIR).
using System.Globalization;
using MLNetDeep.Estimators.Sequence;
using MLNetDeep.Estimators.Sequence.Exercises;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string what = args.Length > 0 ? args[0] : "all";
int Arg(string name, int fallback) => Array.IndexOf(args, "--" + name) is int i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;

if (what is "addition" or "all")
{
    foreach (var activation in new[] { HiddenActivation.Sigmoid, HiddenActivation.Relu })
    {
        var r = BinaryAdditionExercise.Run(new BinaryAdditionOptions { Activation = activation, Iterations = Arg("iterations", 10_000), Seed = Arg("seed", 1) });
        Console.WriteLine($"binary addition, {activation} hidden activation ({r.HeldOutPairs} held-out pairs):");
        Console.WriteLine("  iteration  loss/bit  held-out accuracy");
        foreach (var p in r.Curve) Console.WriteLine($"  {p.Iteration,9}  {p.Loss,8:F4}  {p.HeldOutAccuracy,8:P1}");
    }
}

string? corpus = EnjaCorpus.Locate(AppContext.BaseDirectory) ?? EnjaCorpus.Locate();
if (what is "nextword" or "question" or "all" && corpus is null)
{
    Console.Error.WriteLine($"small_parallel_enja not found (set {EnjaCorpus.EnvironmentVariable}).");
    return 1;
}

if (what is "nextword" or "all")
{
    var r = NextWordExercise.Run(new NextWordExerciseOptions
    {
        CorpusDirectory = corpus!,
        TrainSentences = Arg("sentences", 10_000),
        NumberOfEpochs = Arg("epochs", 5),
        MaxVocabulary = Arg("vocabulary", 2000),
    }, Console.WriteLine);
    Console.WriteLine($"| model | validation perplexity | top-1 | top-5 |");
    Console.WriteLine($"|---|---|---|---|");
    Console.WriteLine($"| unigram | {r.Unigram.Perplexity:F1} | {r.Unigram.Top1Accuracy:P1} | {r.Unigram.Top5Accuracy:P1} |");
    Console.WriteLine($"| bigram (λ={r.BigramLambda}) | {r.Bigram.Perplexity:F1} | {r.Bigram.Top1Accuracy:P1} | {r.Bigram.Top5Accuracy:P1} |");
    foreach (var a in r.Architectures)
    {
        var v = a.Epochs[^1].Validation;
        Console.WriteLine($"| {a.Name} | {v.Perplexity:F1} | {v.Top1Accuracy:P1} | {v.Top5Accuracy:P1} |");
    }
    var lstm = r.Architectures[0].Model;
    string[] prompt = ["i", "want", "to"];
    Console.WriteLine($"after '{string.Join(' ', prompt)}': " + string.Join(", ", lstm.PredictNext(prompt, 5).Select(w => $"{w.Word} {w.Probability:F3}")));
    foreach (double t in new[] { 0.0, 0.7, 1.0 })
        Console.WriteLine($"generate (T={t}): {string.Join(' ', prompt)} {string.Join(' ', lstm.Generate(prompt, 12, t, seed: 3, stopWord: "."))}");
}

if (what is "question" or "all")
{
    var r = QuestionDetectionExercise.Run(new QuestionDetectionOptions
    {
        CorpusDirectory = corpus!,
        TrainSentences = Arg("sentences", 20_000),
        Classifier = new SequenceClassifierOptions { NumberOfEpochs = Arg("epochs", 3), Seed = 1 },
    });
    Console.WriteLine($"question detection: accuracy {r.Metrics.Accuracy:P1}, macro-F1 {r.Metrics.MacroF1:F3} (majority class {r.MajorityAccuracy:P1}); confusion [truth][predicted] over {string.Join("/", r.LabelNames)}:");
    foreach (var row in r.Metrics.ConfusionMatrix) Console.WriteLine("  " + string.Join(" ", row.Select(v => $"{v,6}")));
}
return 0;
