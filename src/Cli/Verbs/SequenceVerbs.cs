using System.CommandLine;
using MLNetDeep.Data;
using MLNetDeep.Estimators.Sequence;
using Spectre.Console;

namespace MLNetDeep.Cli.Verbs;

/// <summary>
/// <c>text classify train|predict</c> (recurrent sequence classifier on a delimited label/text file) and
/// <c>text lm train|predict|generate</c> (next-word language model on a file of sentences, one a line).
/// </summary>
public sealed class SequenceVerbs : IVerbGroup
{
    /// <inheritdoc/>
    public void Register(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var text = new Command("text", "Recurrent text models: sequence classification and next-word language models.");
        var classify = new Command("classify", "A recurrent (RNN/LSTM/GRU) text classifier.");
        var lm = new Command("lm", "A recurrent next-word language model.");
        text.Add(classify);
        text.Add(lm);
        root.Add(text);
        classify.Add(ClassifyTrain());
        classify.Add(ClassifyPredict());
        lm.Add(LmTrain());
        lm.Add(LmPredict());
        lm.Add(LmGenerate());
    }

    private static Command ClassifyTrain()
    {
        var data = new LabelledTextFileOptions();
        var common = new SequenceModelCliOptions(SequenceCellType.Gru, SequencePooling.Last);
        var command = new Command("train", "Train a sequence classifier (lower-case, word tokens, vocabulary, embedding → RNN → pooling → Linear) and print its training accuracy and macro-F1.");
        data.AddTo(command);
        common.AddTo(command);
        command.SetAction(r =>
        {
            var ctx = new DeepContext(r.GetValue(common.Seed));
            var view = data.Load(ctx, r);
            var model = CliProgress.Run(r.InvocationConfiguration.Output, "training", r.GetValue(common.Epochs), progress =>
                common.Featurizer(ctx, r)
                    .Append(ctx.Transforms.Conversion.MapValueToKey("LabelKey", "Label"))
                    .Append(ctx.Text.Trainers.SequenceClassifier(common.Fill(new SequenceClassifierOptions { LabelColumnName = "LabelKey" }, r, progress)))
                    .Append(ctx.Transforms.Conversion.MapKeyToValue("PredictedText", "PredictedLabel"))
                    .Fit(view));
            var classifier = model.Transformers.OfType<SequenceClassificationTransformer>().Single();
            var metrics = classifier.Evaluate(model.Transform(view), "LabelKey");
            AnsiConsole.MarkupLine(FormattableString.Invariant($"training rows {metrics.Rows}, accuracy [green]{metrics.Accuracy:P2}[/], macro-F1 {metrics.MacroF1:F4}"));
            string path = r.GetValue(common.Output)!.FullName;
            ctx.Model.Save(model, view.Schema, path);
            AnsiConsole.MarkupLine($"saved [green]{Markup.Escape(path)}[/]");
            return 0;
        });
        return command;
    }

    private static Option<FileInfo> ModelOption() => new("--model", "-m") { Description = "A model written by the matching 'train' verb.", Required = true };

    private static Option<string[]> TextOption(string what) => new("--text", "-t") { Description = what, Required = true, AllowMultipleArgumentsPerToken = true };

    private static Command ClassifyPredict()
    {
        var model = ModelOption();
        var texts = TextOption("One or more texts to classify.");
        var command = new Command("predict", "Classify texts with a model from 'text classify train': the predicted label and each class's probability.");
        command.Add(model);
        command.Add(texts);
        command.SetAction(r =>
        {
            var ctx = new DeepContext(1);
            var loaded = ctx.Model.Load(r.GetValue(model)!.FullName, out _);
            var rows = r.GetValue(texts)!.Select(t => new LabelledInput { Text = t }).ToList(); // the saved chain maps Label too: an empty one is a missing key
            var scored = loaded.Transform(ctx.Data.LoadFromEnumerable(rows));
            var names = scored.Schema["PredictedLabel"].KeyValues ?? [];
            var predicted = scored.GetColumn<string>("PredictedText");
            var scores = scored.GetColumn<float[]>("Score");
            for (int i = 0; i < rows.Count; i++)
                AnsiConsole.MarkupLine(Markup.Escape(FormattableString.Invariant($"{predicted[i]}\t{string.Join(" ", scores[i].Select((p, k) => $"{(k < names.Count ? names[k] : $"#{k + 1}")}={p:F4}"))}\t{rows[i].Text}")));
            return 0;
        });
        return command;
    }

    private static Command LmTrain()
    {
        var data = new Option<FileInfo>("--data", "-d") { Description = "Text file, one sentence a line.", Required = true };
        var validation = new Option<FileInfo?>("--validation-data") { Description = "Optional sentences to report perplexity and top-1/top-5 accuracy on." };
        var maxSentences = new Option<int>("--max-sentences") { Description = "Use only the first N lines of --data.", DefaultValueFactory = _ => int.MaxValue };
        var contextSize = new Option<int>("--context-size") { Description = "Previous words the model sees (0: the whole prefix).", DefaultValueFactory = _ => 5 };
        var common = new SequenceModelCliOptions(SequenceCellType.Lstm, SequencePooling.Last);
        var command = new Command("train", "Train a next-word language model over the previous --context-size words.");
        foreach (var o in new Option[] { data, validation, maxSentences, contextSize }) command.Add(o);
        common.AddTo(command);
        command.SetAction(r =>
        {
            var ctx = new DeepContext(r.GetValue(common.Seed));
            IDataView Lines(FileInfo f, int max) => ctx.Data.LoadFromEnumerable(File.ReadLines(f.FullName).Where(l => l.Trim().Length > 0).Take(max).Select(l => new TextInput { Text = l }).ToList());
            var view = Lines(r.GetValue(data)!, r.GetValue(maxSentences));
            var model = CliProgress.Run(r.InvocationConfiguration.Output, "training", r.GetValue(common.Epochs), progress =>
                common.Featurizer(ctx, r)
                    .Append(ctx.Text.Trainers.NextWordPredictor(common.Fill(new NextWordPredictorOptions { ContextSize = r.GetValue(contextSize) }, r, progress)))
                    .Fit(view));
            if (r.GetValue(validation) is FileInfo v)
            {
                var featurizer = new TransformerChain<ITransformer>(model.Transformers.Take(model.Transformers.Count - 1).ToList());
                var m = model.LastTransformer!.Evaluate(featurizer.Transform(Lines(v, int.MaxValue)));
                AnsiConsole.MarkupLine(FormattableString.Invariant($"validation: perplexity [green]{m.Perplexity:F2}[/], top-1 {m.Top1Accuracy:P2}, top-5 {m.Top5Accuracy:P2} over {m.Examples} words"));
            }
            string path = r.GetValue(common.Output)!.FullName;
            ctx.Model.Save(model, view.Schema, path);
            AnsiConsole.MarkupLine($"saved [green]{Markup.Escape(path)}[/]");
            return 0;
        });
        return command;
    }

    // The language model of a saved chain and the keys of a prompt as its featurizer gives them.
    private static (NextWordPredictionTransformer Model, uint[] Keys) Prompt(string modelPath, string prompt)
    {
        var ctx = new DeepContext(1);
        var loaded = ctx.Model.Load(modelPath, out _);
        var chain = loaded as TransformerChain<ITransformer> ?? throw new InvalidDataException($"'{modelPath}' is not a pipeline from 'text lm train'.");
        var lm = chain.Transformers.OfType<NextWordPredictionTransformer>().SingleOrDefault()
            ?? throw new InvalidDataException($"'{modelPath}' holds no next-word predictor (train it with 'text lm train').");
        var featurizer = new TransformerChain<ITransformer>(chain.Transformers.TakeWhile(t => t is not NextWordPredictionTransformer).ToList());
        var keys = featurizer.Transform(ctx.Data.LoadFromEnumerable(new[] { new TextInput { Text = prompt } })).GetColumn<uint[]>(lm.TokensColumnName)[0];
        if (keys.Length == 0) throw new ArgumentException("--text has no words; give at least one.");
        return (lm, keys);
    }

    private static Command LmPredict()
    {
        var model = ModelOption();
        var text = new Option<string>("--text", "-t") { Description = "The context (the last words count).", Required = true };
        var top = new Option<int>("--top") { Description = "How many next words to list.", DefaultValueFactory = _ => 5 };
        var command = new Command("predict", "The most probable next words after --text, with probabilities.");
        foreach (var o in new Option[] { model, text, top }) command.Add(o);
        command.SetAction(r =>
        {
            var (lm, keys) = Prompt(r.GetValue(model)!.FullName, r.GetValue(text)!);
            foreach (var w in lm.PredictNextFromKeys(keys, r.GetValue(top)))
                AnsiConsole.MarkupLine(Markup.Escape(FormattableString.Invariant($"{w.Word}\t{w.Probability:F4}")));
            return 0;
        });
        return command;
    }

    private static Command LmGenerate()
    {
        var model = ModelOption();
        var text = new Option<string>("--text", "-t") { Description = "The prompt.", Required = true };
        var words = new Option<int>("--words") { Description = "Most words to add.", DefaultValueFactory = _ => 20 };
        var temperature = new Option<double>("--temperature") { Description = "Sampling temperature (0: always the most probable word).", DefaultValueFactory = _ => 1.0 };
        var seed = new Option<int>("--seed") { Description = "Sampling seed.", DefaultValueFactory = _ => 1 };
        var stop = new Option<string?>("--stop-word") { Description = "Stop after this word.", DefaultValueFactory = _ => "." };
        var command = new Command("generate", "Continue --text by sampling words from the model.");
        foreach (var o in new Option[] { model, text, words, temperature, seed, stop }) command.Add(o);
        command.SetAction(r =>
        {
            var (lm, keys) = Prompt(r.GetValue(model)!.FullName, r.GetValue(text)!);
            var generated = lm.GenerateFromKeys(keys, r.GetValue(words), r.GetValue(temperature), r.GetValue(seed), r.GetValue(stop));
            AnsiConsole.MarkupLine(Markup.Escape(r.GetValue(text) + " " + string.Join(' ', generated)));
            return 0;
        });
        return command;
    }

    private sealed class TextInput
    {
        public string Text { get; set; } = "";
    }

    private sealed class LabelledInput
    {
        public string Label { get; set; } = "";

        public string Text { get; set; } = "";
    }
}
