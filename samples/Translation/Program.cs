// Translation: train the Seq2Seq translator on small_parallel_enja (English → Japanese), report per-epoch
// train/validation loss and validation BLEU, evaluate test BLEU greedily and with a beam, show examples,
// save → reload. By default it trains a small model on a subset so it finishes in minutes on a laptop;
// --course uses the course's settings (all 50k pairs, GRU 256/256, 10 epochs, Luong dot attention).
//
//   dotnet run -c Release --project samples/Translation [-- --data DIR --pairs N --epochs N --hidden N --beam K --course --output DIR]
using System.Diagnostics;
using MLNetDeep;
using MLNetDeep.Data;
using MLNetDeep.Estimators.Translation;

string? data = null, output = Path.Combine("out", "translation");
int pairs = 5000, epochs = 3, hidden = 128, beam = 5;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--data": data = args[++i]; break;
        case "--pairs": pairs = int.Parse(args[++i]); break;
        case "--epochs": epochs = int.Parse(args[++i]); break;
        case "--hidden": hidden = int.Parse(args[++i]); break;
        case "--beam": beam = int.Parse(args[++i]); break;
        case "--output": output = args[++i]; break;
        case "--course": pairs = 0; epochs = 10; hidden = 256; break;
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
    }
}
data ??= FindCorpus();
if (data is null) { Console.Error.WriteLine("small_parallel_enja not found; pass --data DIR"); return 2; }

var clock = Stopwatch.StartNew();
var ctx = new DeepContext(seed: 1);
ctx.Log += (_, e) => Console.WriteLine($"  [{e.Source}] {e.Message}");
var train = Load(Path.Combine(data, "train"), pairs);
var dev = Load(Path.Combine(data, "dev"), 0);
var test = Load(Path.Combine(data, "test"), 0);
Console.WriteLine($"training on {(pairs > 0 ? pairs.ToString() : "all")} pairs, {epochs} epoch(s), embedding and hidden {hidden}");

var model = ctx.Translation.Trainers.Seq2Seq(new Seq2SeqOptions
{
    NumberOfEpochs = epochs,
    EmbeddingDimension = hidden,
    HiddenSize = hidden,
    Seed = 1,
    ProgressInterval = 0,
    CheckpointPath = Path.Combine(output, "train.ckpt"),
}).Fit(train, dev);
Console.WriteLine($"trained in {clock.Elapsed.TotalSeconds:F0} s");

var greedy = ctx.Translation.Evaluate(model.Transform(test), "Target", "Translation");
var beamed = model.WithDecoding(beam);
var withBeam = ctx.Translation.Evaluate(beamed.Transform(test), "Target", "Translation");
Console.WriteLine($"test greedy: {greedy}");
Console.WriteLine($"test beam {beam}: {withBeam}");
var sources = File.ReadLines(Path.Combine(data, "test.en")).Take(5).ToList();
var references = File.ReadLines(Path.Combine(data, "test.ja")).Take(5).ToList();
var translations = beamed.Translate(sources);
for (int i = 0; i < sources.Count; i++) Console.WriteLine($"  {sources[i]}\n    → {translations[i]}\n    ref {references[i]}");

Directory.CreateDirectory(output);
string path = Path.Combine(output, "enja.zip");
ctx.Model.Save(beamed, train.Schema, path);
var reloaded = (Seq2SeqTransformer)new DeepContext().Model.Load(path, out _);
bool same = reloaded.Translate(sources).SequenceEqual(translations);
Console.WriteLine($"saved {path}; reloaded model translates identically: {same}; total {clock.Elapsed.TotalSeconds:F0} s");
return same ? 0 : 1;

IDataView Load(string stem, int take)
{
    if (take <= 0) return ctx.Data.LoadFromParallelText(stem + ".en", stem + ".ja");
    var rows = File.ReadLines(stem + ".en").Zip(File.ReadLines(stem + ".ja")).Take(take).Select(p => new Pair { Source = p.First, Target = p.Second }).ToList();
    return ctx.Data.LoadFromEnumerable(rows);
}

static string? FindCorpus()
{
    for (var d = new DirectoryInfo(Directory.GetCurrentDirectory()); d is not null; d = d.Parent)
    {
        string c = Path.Combine(d.FullName, "shared", "data", "small_parallel_enja");
        if (File.Exists(Path.Combine(c, "train.en"))) return c;
    }
    return null;
}

/// <summary>One sentence pair.</summary>
public sealed class Pair
{
    public string Source { get; set; } = "";
    public string Target { get; set; } = "";
}
