using System.CommandLine;
using System.Globalization;
using MLNetDeep.Estimators.Word2Vec;
using Spectre.Console;

namespace MLNetDeep.Cli.Verbs;

/// <summary>
/// <c>word2vec train|similar|analogy|export-onnx</c>: trains word vectors on a tokenized text file (one
/// sentence per line, tokens separated by spaces) and queries a saved model.
/// </summary>
public sealed class Word2VecVerbs : IVerbGroup
{
    /// <inheritdoc/>
    public void Register(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var group = new Command("word2vec", "Train word vectors (CBOW or skip-gram) and query them.");
        group.Add(TrainCommand());
        group.Add(SimilarCommand());
        group.Add(AnalogyCommand());
        group.Add(ExportCommand());
        root.Add(group);
    }

    private static Command TrainCommand()
    {
        var corpus = new Option<FileInfo>("--corpus", "-c") { Description = "Text file: one sentence per line, tokens separated by whitespace.", Required = true };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Where to write the model (.zip; tokenizer + word2vec featurizer); written atomically.", Required = true };
        var arch = new Option<Word2VecArchitecture>("--architecture", "-a") { Description = "Cbow or SkipGram.", DefaultValueFactory = _ => Word2VecArchitecture.Cbow };
        var size = new Option<int>("--vector-size") { Description = "Vector width.", DefaultValueFactory = _ => Word2VecOptions.Defaults.VectorSize };
        var window = new Option<int>("--window") { Description = "Maximum context distance (shrunk at random per word).", DefaultValueFactory = _ => Word2VecOptions.Defaults.Window };
        var minCount = new Option<int>("--min-count") { Description = "Words seen fewer times are dropped.", DefaultValueFactory = _ => Word2VecOptions.Defaults.MinCount };
        var maxVocab = new Option<int?>("--max-vocabulary") { Description = "Keep only the most frequent words." };
        var sample = new Option<double>("--sample") { Description = "Subsampling threshold of frequent words (0: off).", DefaultValueFactory = _ => Word2VecOptions.Defaults.Sample };
        var negative = new Option<int>("--negative") { Description = "Noise words per example (0: off).", DefaultValueFactory = _ => Word2VecOptions.Defaults.NegativeSamples };
        var hs = new Option<bool>("--hs") { Description = "Hierarchical softmax." };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the corpus.", DefaultValueFactory = _ => Word2VecOptions.Defaults.NumberOfEpochs };
        var lr = new Option<double>("--learning-rate") { Description = "Initial learning rate (decays linearly to --min-learning-rate).", DefaultValueFactory = _ => Word2VecOptions.Defaults.LearningRate };
        var minLr = new Option<double>("--min-learning-rate") { Description = "Final learning rate.", DefaultValueFactory = _ => Word2VecOptions.Defaults.MinLearningRate };
        var threads = new Option<int?>("--threads") { Description = "Training threads (default: all cores; 1 is reproducible)." };
        var seed = new Option<int>("--seed") { Description = "Seed.", DefaultValueFactory = _ => 1 };
        var text = new Option<FileInfo?>("--save-text") { Description = "Also write the vectors in word2vec text format." };
        var binary = new Option<FileInfo?>("--save-binary") { Description = "Also write the vectors in word2vec binary format." };
        var train = new Command("train", "Train word vectors on a tokenized text file.");
        foreach (var o in new Option[] { corpus, output, arch, size, window, minCount, maxVocab, sample, negative, hs, epochs, lr, minLr, threads, seed, text, binary }) train.Add(o);
        train.SetAction(r =>
        {
            var ctx = new DeepContext(r.GetValue(seed));
            var lines = ctx.Data.LoadFromTextLines(r.GetValue(corpus)!.FullName);
            var options = new Word2VecOptions
            {
                Architecture = r.GetValue(arch), VectorSize = r.GetValue(size), Window = r.GetValue(window), MinCount = r.GetValue(minCount),
                MaxVocabularySize = r.GetValue(maxVocab), Sample = r.GetValue(sample), NegativeSamples = r.GetValue(negative),
                HierarchicalSoftmax = r.GetValue(hs), NumberOfEpochs = r.GetValue(epochs), LearningRate = r.GetValue(lr),
                MinLearningRate = r.GetValue(minLr), NumberOfThreads = r.GetValue(threads), Seed = r.GetValue(seed), Progress = new ConsoleProgress(),
            };
            var model = ctx.Transforms.Text.TokenizeIntoWords("Tokens", "Text")
                .Append(ctx.Transforms.Text.TrainWord2Vec("Features", "Tokens", options))
                .Fit(lines);
            string path = r.GetValue(output)!.FullName;
            ctx.Model.Save(model, lines.Schema, path);
            var w2v = model.LastTransformer!;
            if (r.GetValue(text) is { } t) w2v.Model.SaveWord2VecFormat(t.FullName, binary: false);
            if (r.GetValue(binary) is { } b) w2v.Model.SaveWord2VecFormat(b.FullName, binary: true);
            AnsiConsole.MarkupLine($"{w2v.Model.Count} words × {w2v.Model.VectorSize}; saved [green]{Markup.Escape(path)}[/]");
            return 0;
        });
        return train;
    }

    private static Command SimilarCommand()
    {
        var model = new Argument<FileInfo>("model") { Description = "A model written by 'word2vec train'." };
        var word = new Argument<string>("word") { Description = "The query word." };
        var topN = new Option<int>("--topn", "-n") { Description = "Number of neighbours.", DefaultValueFactory = _ => 10 };
        var similar = new Command("similar", "The nearest words by cosine similarity.") { model, word, topN };
        similar.SetAction(r => Query(() => Load(r.GetValue(model)!).MostSimilar(r.GetValue(word)!, r.GetValue(topN))));
        return similar;
    }

    private static Command AnalogyCommand()
    {
        var model = new Argument<FileInfo>("model") { Description = "A model written by 'word2vec train'." };
        var positive = new Option<string>("--positive", "-p") { Description = "Comma-separated words added (e.g. king,woman).", Required = true };
        var negative = new Option<string>("--negative") { Description = "Comma-separated words subtracted (e.g. man).", DefaultValueFactory = _ => "" };
        var topN = new Option<int>("--topn", "-n") { Description = "Number of answers.", DefaultValueFactory = _ => 10 };
        var analogy = new Command("analogy", "Analogy query (3CosAdd): positive − negative, query words excluded.") { model, positive, negative, topN };
        analogy.SetAction(r => Query(() => Load(r.GetValue(model)!).MostSimilar(Split(r.GetValue(positive)), Split(r.GetValue(negative)), r.GetValue(topN))));
        return analogy;
    }

    private static Command ExportCommand()
    {
        var model = new Argument<FileInfo>("model") { Description = "A model written by 'word2vec train'." };
        var output = new Option<FileInfo>("--output", "-o") { Description = "ONNX file to write (input TokenIds; outputs TokenVectors, Pooled).", Required = true };
        var export = new Command("export-onnx", "Export the featurizer to ONNX.") { model, output };
        export.SetAction(r =>
        {
            Word2VecOnnxExporter.Export(LoadTransformer(r.GetValue(model)!), r.GetValue(output)!.FullName);
            AnsiConsole.MarkupLine($"wrote [green]{Markup.Escape(r.GetValue(output)!.FullName)}[/]");
            return 0;
        });
        return export;
    }

    private static string[] Split(string? s) => (s ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static Word2VecModel Load(FileInfo path) => LoadTransformer(path).Model;

    private static Word2VecTransformer LoadTransformer(FileInfo path)
    {
        var loaded = new DeepContext(1).Model.Load(path.FullName, out _);
        var parts = loaded is TransformerChain<ITransformer> chain ? chain.Transformers : [loaded];
        return parts.OfType<Word2VecTransformer>().FirstOrDefault()
            ?? throw new InvalidOperationException($"{path.FullName} has no word2vec featurizer (components: {string.Join(", ", parts.Select(p => p.GetType().Name))}).");
    }

    private static int Query(Func<IReadOnlyList<(string Word, double Similarity)>> query)
    {
        IReadOnlyList<(string Word, double Similarity)> results;
        try
        {
            results = query();
        }
        catch (KeyNotFoundException e)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
        foreach (var (w, s) in results) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{w}\t{s:F4}"));
        return 0;
    }

    private sealed class ConsoleProgress : IProgress<Word2VecProgress>
    {
        public void Report(Word2VecProgress p)
        {
            if (p.IsEpochEnd) AnsiConsole.MarkupLine(FormattableString.Invariant($"epoch {p.Epoch}/{p.NumberOfEpochs}: {p.WordsPerSecond:F0} words/s, alpha {p.LearningRate:G4}, {p.Elapsed.TotalSeconds:F1} s"));
        }
    }
}
