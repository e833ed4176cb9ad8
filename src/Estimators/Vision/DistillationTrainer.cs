using MLNetDeep.Data;
using MLNetDeep.Estimators.Compression;
using MLNetDeep.Tensors;

namespace MLNetDeep.Estimators.Vision;

/// <summary>
/// Knowledge distillation (Hinton et al. 2015): trains an image classifier student on
/// alpha · T²·KL(softmax(teacher/T) ‖ softmax(student/T)) + (1 − alpha) · cross-entropy(student, label)
/// (<see cref="DistillationLoss"/>). The teacher is any fitted transformer producing a Score vector of class
/// probabilities on the same data (its log-probabilities serve as logits), e.g. an
/// <see cref="ImageClassificationTransformer"/> or an ApplyOnnxModel transformer. Teacher outputs are computed
/// once per example; with augmentation on, an <see cref="INetworkClassifier"/> teacher runs on each augmented batch
/// instead, and any other teacher makes the trainer turn augmentation off (logged), so teacher and student always
/// see the same image. The result is an ordinary <see cref="ImageClassificationTransformer"/>.
/// </summary>
public sealed class DistillationTrainer : TrainerBase<DistillationOptions, ImageClassificationTransformer>
{
    private const string Component = "Distillation";
    private readonly ITransformer _teacher;

    /// <summary>Creates the trainer (use <c>ctx.Distillation.Trainers.Student</c>).</summary>
    public DistillationTrainer(DeepContext context, ITransformer teacher, DistillationOptions options) : base(context, Copy(options), o => o.Validate())
    {
        _teacher = teacher ?? throw new ArgumentNullException(nameof(teacher));
    }

    private static DistillationOptions Copy(DistillationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new DistillationOptions { Student = options.Student?.Clone()!, Temperature = options.Temperature, Alpha = options.Alpha, TeacherScoreColumnName = options.TeacherScoreColumnName };
    }

    /// <inheritdoc/>
    private protected override DataViewSchema OutputSchema(DataViewSchema inputSchema)
    {
        var s = Options.Student;
        var (label, image) = ImageClassificationTrainer.CheckInput(inputSchema, s, Component);
        ImageColumns.Shape(image, s, Component);
        return ImageColumns.ScoredSchema(inputSchema, s.ImageColumnName, s.ScoreColumnName, s.PredictedLabelColumnName,
            (int)((KeyDataViewType)label.Type).Count, ImageClassificationTransformer.LabelNames(label), Component);
    }

    /// <inheritdoc/>
    private protected override ImageClassificationTransformer Train(IDataView input) => Fit(input, null);

    /// <summary>Distils into the student; with <paramref name="validationData"/>, reports its (hard-label) loss each epoch and stops early per the student's options.</summary>
    public ImageClassificationTransformer Fit(IDataView input, IDataView? validationData)
    {
        ArgumentNullException.ThrowIfNull(input);
        var s = Options.Student.Clone();
        var (label, _, train, validation) = ImageClassificationTrainer.ReadTrainingData(input, validationData, s, Component);
        string[] labels = ImageClassificationTransformer.LabelNames(label);
        if (s.Augmentation.IsEnabled && _teacher is not INetworkClassifier)
        {
            Context.WriteLog(Component, "augmentation is off: the teacher is not an INetworkClassifier, so it cannot score augmented images; its outputs are computed once per example.", LogKind.Warning);
            s.Augmentation = new ImageAugmentation();
        }
        var teacher = TeacherOutputs.Create(_teacher, input, train, labels, s.Augmentation.IsEnabled, Options.TeacherScoreColumnName, Component);
        int seed = s.Seed ?? Context.NextSeed();
        var generator = new Generator((ulong)seed);
        var net = ImageNetworks.Build(s, train.Shape, labels.Length, generator);
        double t = Options.Temperature, alpha = Options.Alpha;
        ImageTrainingLoop.Run(net, train, validation, s, generator,
            (batch, logits, targets, indices) => DistillationLoss.Combined(logits, teacher.For(batch, indices), targets, t, alpha), Context, Component);
        return new ImageClassificationTransformer(net, s, train.Shape, labels);
    }
}
