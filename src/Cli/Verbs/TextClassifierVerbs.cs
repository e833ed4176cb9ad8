using System.CommandLine;
using MLNetDeep.Conversion;
using MLNetDeep.Data;
using MLNetDeep.Estimators.Text;
using Spectre.Console;

namespace MLNetDeep.Cli.Verbs;

/// <summary><c>train text-classifier</c> and <c>evaluate text-classifier</c>: delimited files with a label and a text field.</summary>
public sealed class TextClassifierVerbs : IVerbGroup
{
    /// <inheritdoc/>
    public void Register(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var data = new LabelledTextFileOptions();
        var output = new Option<FileInfo>("--output", "-o") { Description = "Where to write the model (.zip); written atomically.", Required = true };
        var epochs = new Option<int>("--epochs") { Description = "Number of passes over the training data (NumberOfEpochs).", DefaultValueFactory = _ => TextClassifierOptions.Defaults.NumberOfEpochs };
        var batch = new Option<int>("--batch-size") { Description = "Examples per optimizer step (BatchSize).", DefaultValueFactory = _ => TextClassifierOptions.Defaults.BatchSize };
        var lr = new Option<double>("--learning-rate") { Description = "Adam learning rate (LearningRate).", DefaultValueFactory = _ => TextClassifierOptions.Defaults.LearningRate };
        var dim = new Option<int>("--embedding-dimension") { Description = "Width of the token embeddings.", DefaultValueFactory = _ => TextClassifierOptions.Defaults.EmbeddingDimension };
        var hidden = new Option<int>("--hidden-size") { Description = "Width of the hidden layer on the mean embedding.", DefaultValueFactory = _ => TextClassifierOptions.Defaults.HiddenLayerSize };
        var minCount = new Option<int>("--min-count") { Description = "Words seen fewer times than this become <unk>.", DefaultValueFactory = _ => 1 };
        var maxVocab = new Option<int>("--max-vocabulary") { Description = "Largest vocabulary (most frequent words kept).", DefaultValueFactory = _ => 100_000 };
        var seed = new Option<int>("--seed") { Description = "Seed for initial weights and shuffling (same seed, same model).", DefaultValueFactory = _ => 1 };
        var train = new Command("text-classifier", "Train a text classifier (lower-case, word tokens, vocabulary, mean of embeddings → MLP).");
        data.AddTo(train);
        foreach (var o in new Option[] { output, epochs, batch, lr, dim, hidden, minCount, maxVocab, seed }) train.Add(o);
        train.SetAction(r =>
        {
            var ctx = new DeepContext(r.GetValue(seed));
            var view = data.Load(ctx, r);
            int n = r.GetValue(epochs);
            var model = CliProgress.Run(r.InvocationConfiguration.Output, "training", n, progress =>
                ctx.Transforms.Text.NormalizeText("Text")
                    .Append(ctx.Transforms.Text.TokenizeIntoWords("Words", "Text"))
                    .Append(ctx.Transforms.Conversion.MapValueToKey("Tokens", "Words", new ValueToKeyMappingOptions { MinimumCount = r.GetValue(minCount), MaximumNumberOfKeys = r.GetValue(maxVocab), UnknownToken = "<unk>" }))
                    .Append(ctx.Transforms.Conversion.MapValueToKey("LabelKey", "Label"))
                    .Append(ctx.Text.Trainers.TextClassifier(new TextClassifierOptions
                    {
                        LabelColumnName = "LabelKey",
                        NumberOfEpochs = n,
                        BatchSize = r.GetValue(batch),
                        LearningRate = r.GetValue(lr),
                        EmbeddingDimension = r.GetValue(dim),
                        HiddenLayerSize = r.GetValue(hidden),
                        Seed = r.GetValue(seed),
                        Progress = progress,
                    }))
                    .Append(ctx.Transforms.Conversion.MapKeyToValue("PredictedText", "PredictedLabel"))
                    .Fit(view));
            string path = r.GetValue(output)!.FullName;
            ctx.Model.Save(model, view.Schema, path);
            AnsiConsole.MarkupLine($"saved [green]{Markup.Escape(path)}[/]");
            return 0;
        });
        VerbGroups.Verb(root, "train").Add(train);

        var evalData = new LabelledTextFileOptions();
        var model = new Option<FileInfo>("--model", "-m") { Description = "A model written by 'train text-classifier'.", Required = true };
        var evaluate = new Command("text-classifier", "Accuracy and log-loss of a text classifier on labelled data.");
        evalData.AddTo(evaluate);
        evaluate.Add(model);
        evaluate.SetAction(r =>
        {
            var ctx = new DeepContext(1);
            var loaded = ctx.Model.Load(r.GetValue(model)!.FullName, out _);
            var scored = loaded.Transform(evalData.Load(ctx, r));
            long rows = 0, correct = 0;
            double logLoss = 0;
            var label = scored.Schema["Label"];
            var predicted = scored.Schema["PredictedText"];
            var score = scored.Schema["Score"];
            var names = scored.Schema["PredictedLabel"].KeyValues ?? [];
            using var cursor = scored.GetRowCursor();
            while (cursor.MoveNext())
            {
                string truth = cursor.GetValue<string>(label);
                rows++;
                if (cursor.GetValue<string>(predicted) == truth) correct++;
                int k = names.ToList().IndexOf(truth);
                logLoss += -Math.Log(Math.Max(k >= 0 ? cursor.GetValue<float[]>(score)[k] : 0, 1e-15));
            }
            AnsiConsole.MarkupLine(FormattableString.Invariant($"rows {rows}, accuracy [green]{(rows == 0 ? 0 : (double)correct / rows):P2}[/], log-loss {(rows == 0 ? 0 : logLoss / rows):F4}"));
            return 0;
        });
        VerbGroups.Verb(root, "evaluate").Add(evaluate);
    }
}
