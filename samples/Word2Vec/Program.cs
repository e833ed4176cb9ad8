// Word2Vec sample: trains word vectors inside a pipeline (tokenize → TrainWord2Vec), asks the course's
// analogy question 父 − 男 + 女 (father − man + woman), featurizes sentences, and exports the vectors
// (word2vec text format) and the featurizer (ONNX).
//
//   dotnet run --project samples/Word2Vec -- [--corpus ../shared/data/small_parallel_enja/train.ja] [--skipgram]
//
// Without --corpus it looks for small_parallel_enja/train.ja in shared/data above the repository.
using MLNetDeep;
using MLNetDeep.Estimators.Word2Vec;

string? corpus = null;
var architecture = Word2VecArchitecture.Cbow;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--corpus") corpus = args[++i];
    else if (args[i] == "--skipgram") architecture = Word2VecArchitecture.SkipGram;
}
corpus ??= FindTrainJa();
if (corpus is null)
{
    Console.Error.WriteLine("train.ja not found: pass --corpus FILE (one tokenized sentence per line).");
    return 2;
}

var ctx = new DeepContext(seed: 1);
var lines = ctx.Data.LoadFromTextLines(corpus);
// The settings under which 父 − 男 + 女 ranks 母 first (docs/word2vec.md): 32 dims, window 1 (CBOW) or 2 (skip-gram), one thread.
var options = new Word2VecOptions
{
    Architecture = architecture,
    VectorSize = 32,
    Window = architecture == Word2VecArchitecture.Cbow ? 1 : 2,
    MinCount = 5,
    NumberOfEpochs = 5,
    NumberOfThreads = 1,
    Seed = architecture == Word2VecArchitecture.Cbow ? 1 : 2,
    Progress = new ConsoleProgress(),
};
var model = ctx.Transforms.Text.TokenizeIntoWords("Tokens", "Text")
    .Append(ctx.Transforms.Text.TrainWord2Vec("Features", "Tokens", options))
    .Fit(lines);
var w2v = model.LastTransformer!;
var vectors = w2v.Model;
Console.WriteLine($"{vectors.Count} words × {vectors.VectorSize}");

Console.WriteLine("父 − 男 + 女 = ?");
foreach (var (word, similarity) in vectors.MostSimilar(["父", "女"], ["男"], 5)) Console.WriteLine($"  {word}  {similarity:F3}");
Console.WriteLine("nearest to 猫:");
foreach (var (word, similarity) in vectors.MostSimilar("猫", 5)) Console.WriteLine($"  {word}  {similarity:F3}");
Console.WriteLine($"similarity(父, 母) = {vectors.Similarity("父", "母"):F3}");

// Sentence vectors: the mean of the token vectors, as a pipeline column.
var sentence = "私 は 猫 が 好き で す 。".Split(' ');
Console.WriteLine($"sentence vector: [{string.Join(", ", w2v.GetSentenceVector(sentence).Take(4).Select(v => v.ToString("F3")))} …]");

string dir = Path.Combine(Path.GetTempPath(), "mlnetdeep-word2vec-sample");
Directory.CreateDirectory(dir);
vectors.SaveWord2VecFormat(Path.Combine(dir, "vectors.txt"));
Word2VecOnnxExporter.Export(w2v, Path.Combine(dir, "word2vec.onnx"));
ctx.Model.Save(model, lines.Schema, Path.Combine(dir, "word2vec.zip"));
Console.WriteLine($"wrote vectors.txt, word2vec.onnx and word2vec.zip to {dir}");
return 0;

static string? FindTrainJa()
{
    for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
    {
        string candidate = Path.Combine(d.FullName, "shared", "data", "small_parallel_enja", "train.ja");
        if (File.Exists(candidate)) return candidate;
    }
    return null;
}

sealed class ConsoleProgress : IProgress<Word2VecProgress>
{
    public void Report(Word2VecProgress p)
    {
        if (p.IsEpochEnd) Console.WriteLine($"epoch {p.Epoch}/{p.NumberOfEpochs}: {p.WordsPerSecond:F0} words/s, alpha {p.LearningRate:G3}");
    }
}
