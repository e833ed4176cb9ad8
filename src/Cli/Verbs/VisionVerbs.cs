using System.CommandLine;
using MLNetDeep.Estimators.Vision;
using Spectre.Console;

namespace MLNetDeep.Cli.Verbs;

/// <summary><c>vision train|evaluate|distill</c>: image classifiers on IDX files (MNIST, Fashion-MNIST).</summary>
public sealed class VisionVerbs : IVerbGroup
{
    /// <inheritdoc/>
    public void Register(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var vision = VerbGroups.Verb(root, "vision");

        var trainOptions = new VisionCliOptions();
        var train = new Command("train", "Train an image classifier on IDX files and save it.");
        trainOptions.AddTo(train);
        train.SetAction(r =>
        {
            var ctx = new DeepContext(r.GetValue(trainOptions.Seed));
            var data = trainOptions.Load(ctx, r);
            var validation = trainOptions.LoadValidation(ctx, r);
            var model = CliProgress.Run(r.InvocationConfiguration.Output, "training", r.GetValue(trainOptions.Epochs), progress =>
                ctx.Vision.Trainers.ImageClassifier(trainOptions.Options(r, progress)).Fit(data, validation));
            Save(ctx, model, data, r.GetValue(trainOptions.Output)!.FullName);
            return 0;
        });
        vision.Add(train);

        var model = new Option<FileInfo>("--model", "-m") { Description = "A model written by 'vision train' or 'vision distill'.", Required = true };
        var images = new Option<FileInfo>("--images") { Description = "IDX image file.", Required = true };
        var labels = new Option<FileInfo>("--labels") { Description = "IDX label file.", Required = true };
        var evaluate = new Command("evaluate", "Accuracy, macro-F1 and confusion matrix of an image classifier on IDX files.");
        foreach (var o in new Option[] { model, images, labels }) evaluate.Add(o);
        evaluate.SetAction(r =>
        {
            var ctx = new DeepContext(1);
            var loaded = ctx.Model.Load(r.GetValue(model)!.FullName, out _);
            var metrics = ctx.Vision.Evaluate(loaded.Transform(ctx.Data.LoadFromIdx(r.GetValue(images)!.FullName, r.GetValue(labels)!.FullName)));
            AnsiConsole.MarkupLine(FormattableString.Invariant($"rows {metrics.Rows}, accuracy [green]{metrics.Accuracy:P2}[/], macro-F1 {metrics.MacroF1:F4}"));
            AnsiConsole.WriteLine("confusion matrix (rows: truth, columns: predicted):");
            foreach (var row in metrics.ConfusionMatrix) AnsiConsole.WriteLine(string.Join(' ', row.Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(5))));
            return 0;
        });
        vision.Add(evaluate);

        var studentOptions = new VisionCliOptions();
        var teacher = new Option<FileInfo>("--teacher") { Description = "The teacher: a model .zip, or an .onnx classifier with a Score output (run by the managed runtime).", Required = true };
        var temperature = new Option<double>("--temperature") { Description = "Softmax temperature T of the soft targets (loss scaled by T²).", DefaultValueFactory = _ => DistillationOptions.Defaults.Temperature };
        var alpha = new Option<double>("--alpha") { Description = "Weight of the soft-target loss; the hard-label loss gets 1 − alpha.", DefaultValueFactory = _ => DistillationOptions.Defaults.Alpha };
        var distill = new Command("distill", "Train a student image classifier from a teacher's soft targets (Hinton et al. 2015) and save it.");
        studentOptions.AddTo(distill);
        foreach (var o in new Option[] { teacher, temperature, alpha }) distill.Add(o);
        distill.SetAction(r =>
        {
            var ctx = new DeepContext(r.GetValue(studentOptions.Seed));
            var data = studentOptions.Load(ctx, r);
            var validation = studentOptions.LoadValidation(ctx, r);
            string teacherPath = r.GetValue(teacher)!.FullName;
            ITransformer teacherModel = teacherPath.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)
                ? ctx.Transforms.ApplyOnnxModel(teacherPath).Fit(data)
                : ctx.Model.Load(teacherPath, out _);
            var student = CliProgress.Run(r.InvocationConfiguration.Output, "distilling", r.GetValue(studentOptions.Epochs), progress =>
                ctx.Distillation.Trainers.Student(teacherModel, new DistillationOptions
                {
                    Student = studentOptions.Options(r, progress),
                    Temperature = r.GetValue(temperature),
                    Alpha = r.GetValue(alpha),
                }).Fit(data, validation));
            Save(ctx, student, data, r.GetValue(studentOptions.Output)!.FullName);
            return 0;
        });
        vision.Add(distill);
    }

    private static void Save(DeepContext ctx, ImageClassificationTransformer model, Data.IDataView data, string path)
    {
        ctx.Model.Save(model, data.Schema, path);
        AnsiConsole.MarkupLine($"saved [green]{Markup.Escape(path)}[/] ({model.NetworkOptions.Architecture}, {model.Network.ParameterCount} parameters)");
    }
}
