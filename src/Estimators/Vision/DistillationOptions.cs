namespace MLNetDeep.Estimators.Vision;

/// <summary>Options of knowledge distillation (Hinton et al. 2015) into an image classifier student.</summary>
public sealed class DistillationOptions
{
    /// <summary>Default values of the simple overload.</summary>
    public static class Defaults
    {
        /// <summary>Softmax temperature of the soft targets.</summary>
        public const double Temperature = 4;
        /// <summary>Weight of the soft-target loss (the hard-label loss gets 1 − alpha).</summary>
        public const double Alpha = 0.9;
    }

    /// <summary>The student: architecture, columns and training settings (as for <c>ImageClassifier</c>).</summary>
    public ImageClassifierOptions Student { get; set; } = new();

    /// <summary>Temperature T: soft targets are softmax(teacher logits / T); the soft loss is scaled by T².</summary>
    public double Temperature { get; set; } = Defaults.Temperature;

    /// <summary>Weight of the soft-target loss in [0, 1]; the hard-label cross-entropy gets 1 − alpha.</summary>
    public double Alpha { get; set; } = Defaults.Alpha;

    /// <summary>The teacher's output column of class probabilities (used when the teacher is not an <c>INetworkClassifier</c>).</summary>
    public string TeacherScoreColumnName { get; set; } = "Score";

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Student, nameof(Student));
        Student.Validate();
        if (!(Temperature > 0 && double.IsFinite(Temperature))) throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "Must be positive.");
        if (!(Alpha >= 0 && Alpha <= 1)) throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "Must be in [0, 1].");
        ArgumentException.ThrowIfNullOrEmpty(TeacherScoreColumnName, nameof(TeacherScoreColumnName));
    }
}
