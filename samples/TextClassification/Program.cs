// TextClassification: the main job of the pipeline. A full ML.NET-style pipeline on data generated with
// a seed: load → normalize → tokenize → vocabulary (keys) → train a small classifier from the engine
// (mean of embeddings → MLP, Adam) → save one zip → load it → score with a prediction engine and with a
// batch transform. Exits non-zero if the reloaded model disagrees with the trained one or scores poorly.
//
//   dotnet run -c Release --project samples/TextClassification [-- --epochs N --rows N --output DIR]
//
// With --enja DIR (e.g. ../shared/data/small_parallel_enja) it also shows the data side of a translator on
// a real parallel corpus: train.en/train.ja streamed as pairs, tokenized, vocabularies with special tokens,
// ids and back.
using System.Diagnostics;
using MLNetDeep;
using MLNetDeep.Data;
using MLNetDeep.Estimators.Text;

int epochs = 8, rows = 4000;
string output = Path.Combine("out", "text-classification");
string? enja = null;
for (int i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--epochs": epochs = int.Parse(args[i + 1]); break;
        case "--rows": rows = int.Parse(args[i + 1]); break;
        case "--output": output = args[i + 1]; break;
        case "--enja": enja = args[i + 1]; break;
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
    }
}

var clock = Stopwatch.StartNew();
var ctx = new DeepContext(seed: 42);
ctx.Log += (_, e) => Console.WriteLine($"  [{e.Source}] {e.Message}");

// 1. Load: reviews generated with a seed, streamed from an IEnumerable (a file works the same way:
//    ctx.Data.LoadFromTextFile<Review>(path, hasHeader: true)).
var all = ctx.Data.LoadFromEnumerable(Reviews.Generate(rows, seed: 7).ToList());
var (train, test) = ctx.Data.TrainTestSplit(all, testFraction: 0.2, seed: 1);
Console.WriteLine($"data: {rows} generated reviews in 4 topics, 80/20 train/test split");

// 2. The pipeline: featurize, train, map the predicted key back to its name.
var pipeline = ctx.Transforms.Text.NormalizeText("Text")
    .Append(ctx.Transforms.Text.TokenizeIntoWords("Words", "Text"))
    .Append(ctx.Transforms.Conversion.MapValueToKey("Tokens", "Words", new MLNetDeep.Conversion.ValueToKeyMappingOptions { MinimumCount = 2, UnknownToken = "<unk>" }))
    .Append(ctx.Transforms.Conversion.MapValueToKey("LabelKey", "Label"))
    .Append(ctx.Text.Trainers.TextClassifier(new TextClassifierOptions
    {
        LabelColumnName = "LabelKey",
        TokensColumnName = "Tokens",
        NumberOfEpochs = epochs,
        BatchSize = 32,
        LearningRate = 0.01,
        EmbeddingDimension = 32,
        HiddenLayerSize = 32,
        Seed = 3,
    }))
    .Append(ctx.Transforms.Conversion.MapKeyToValue("PredictedTopic", "PredictedLabel"));

// Validate the whole pipeline without data before training.
var outputSchema = pipeline.GetOutputSchema(train.Schema);
Console.WriteLine($"pipeline output columns: {string.Join(", ", outputSchema.Select(c => c.Name))}");

var model = pipeline.Fit(train);
Console.WriteLine($"trained in {clock.Elapsed.TotalSeconds:F1} s");

double Accuracy(ITransformer m, IDataView data)
{
    var scored = m.Transform(data); // batch transform: the classifier scores 256 rows per forward pass
    var predicted = scored.GetColumn<string>("PredictedTopic");
    var truth = scored.GetColumn<string>("Label");
    return predicted.Zip(truth).Count(p => p.First == p.Second) / (double)truth.Count;
}
double trainedAccuracy = Accuracy(model, test);
Console.WriteLine($"test accuracy: {trainedAccuracy:P1}");

// 3. Save → load.
Directory.CreateDirectory(output);
string path = Path.Combine(output, "model.zip");
ctx.Model.Save(model, train.Schema, path);
Console.WriteLine($"saved the fitted pipeline to {path} ({new FileInfo(path).Length} bytes)");
var reloaded = new DeepContext(seed: 1).Model.Load(path, out var inputSchema);
Console.WriteLine($"reloaded; it expects columns {inputSchema.Describe()}");

// 4. Single-row scoring with a prediction engine (thread-safe) and a check against the trained model.
var engine = ctx.Model.CreatePredictionEngine<Review, TopicPrediction>(reloaded);
foreach (var text in new[] { "The striker scored a late goal and the team won the match", "Simmer the garlic in butter, then add flour and salt", "Heavy rain and strong wind are in the forecast" })
{
    var p = engine.Predict(new Review { Text = text });
    Console.WriteLine($"  \"{text}\" → {p.PredictedTopic} ({p.Score.Max():P0})");
}
var original = ctx.Data.CreateEnumerable<TopicPrediction>(model.Transform(test)).ToList();
var again = ctx.Data.CreateEnumerable<TopicPrediction>(reloaded.Transform(test)).ToList();
bool identical = original.Zip(again).All(p => p.First.PredictedTopic == p.Second.PredictedTopic && p.First.Score.SequenceEqual(p.Second.Score));
Console.WriteLine($"reloaded model gives identical predictions: {identical}; total {clock.Elapsed.TotalSeconds:F1} s");
if (enja is not null) ParallelCorpus.Show(ctx, enja);
return identical && trainedAccuracy >= 0.85 ? 0 : 1;

/// <summary>The data side of a translator on a parallel corpus (optional part of the sample).</summary>
static class ParallelCorpus
{
    public static void Show(DeepContext ctx, string dir)
    {
        var clock = Stopwatch.StartNew();
        var pairs = ctx.Data.LoadFromParallelText(Path.Combine(dir, "train.en"), Path.Combine(dir, "train.ja"), "English", "Japanese");
        var options = new MLNetDeep.Conversion.ValueToKeyMappingOptions { SpecialTokens = ["<pad>", "<s>", "</s>"], UnknownToken = "<unk>", MinimumCount = 2 };
        var prep = ctx.Transforms.Text.TokenizeIntoWords("EnglishWords", "English")
            .Append(ctx.Transforms.Text.TokenizeIntoWords("JapaneseWords", "Japanese"))
            .Append(ctx.Transforms.Conversion.MapValueToKey("EnglishIds", "EnglishWords", options))
            .Append(ctx.Transforms.Conversion.MapValueToKey("JapaneseIds", "JapaneseWords", options))
            .Append(ctx.Transforms.Conversion.MapKeyToValue("EnglishBack", "EnglishIds"))
            .Fit(pairs);
        var vocab = prep.Transformers.OfType<MLNetDeep.Conversion.ValueToKeyMappingTransformer>().Select(t => t.Vocabularies[0].Count).ToList();
        var view = prep.Transform(pairs);
        using var cursor = view.GetRowCursor();
        cursor.MoveNext();
        Console.WriteLine($"parallel corpus {dir}: vocabularies en {vocab[0]}, ja {vocab[1]} (min count 2, with <pad> <s> </s> <unk>), built in {clock.Elapsed.TotalSeconds:F1} s");
        Console.WriteLine($"  en: {cursor.GetValue<string>(view.Schema["English"])}");
        Console.WriteLine($"  ids: {string.Join(" ", cursor.GetValue<uint[]>(view.Schema["EnglishIds"]))} → {string.Join(" ", cursor.GetValue<string[]>(view.Schema["EnglishBack"]))}");
        Console.WriteLine($"  ja: {cursor.GetValue<string>(view.Schema["Japanese"])} → ids {string.Join(" ", cursor.GetValue<uint[]>(view.Schema["JapaneseIds"]))}");
    }
}

/// <summary>One review (input row).</summary>
public sealed class Review
{
    public string Text { get; set; } = "";
    public string Label { get; set; } = "";
}

/// <summary>Output row: class probabilities and the predicted topic name.</summary>
public sealed class TopicPrediction
{
    public float[] Score { get; set; } = [];
    public string PredictedTopic { get; set; } = "";
}

/// <summary>Seeded generator of short texts about four topics, with shared filler words and noise.</summary>
static class Reviews
{
    private static readonly string[] Topics = ["sports", "cooking", "weather", "music"];
    private static readonly string[][] Words =
    [
        ["goal", "match", "team", "scored", "coach", "league", "striker", "referee", "won", "season", "fans", "stadium"],
        ["oven", "recipe", "salt", "butter", "simmer", "flour", "pan", "garlic", "bake", "onion", "sauce", "dough"],
        ["rain", "cloud", "storm", "wind", "forecast", "sunny", "snow", "humid", "temperature", "fog", "heat", "strong"],
        ["guitar", "album", "song", "drums", "concert", "melody", "band", "chorus", "piano", "lyrics", "tour", "singer"],
    ];
    private static readonly string[] Filler = ["the", "a", "today", "very", "and", "was", "is", "of", "in", "then", "late", "add", "are", "it", "we"];

    public static IEnumerable<Review> Generate(int count, int seed)
    {
        var rng = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            int t = rng.Next(Topics.Length);
            int n = 4 + rng.Next(9);
            var words = new string[n];
            for (int k = 0; k < n; k++)
            {
                double u = rng.NextDouble();
                // 45% topic words, 10% words of another topic (noise), the rest filler.
                words[k] = u < 0.45 ? Words[t][rng.Next(Words[t].Length)]
                    : u < 0.55 ? Words[rng.Next(Topics.Length)][rng.Next(12)]
                    : Filler[rng.Next(Filler.Length)];
            }
            if (rng.Next(3) == 0) words[0] = char.ToUpperInvariant(words[0][0]) + words[0][1..];
            yield return new Review { Text = string.Join(' ', words) + ".", Label = Topics[t] };
        }
    }
}
