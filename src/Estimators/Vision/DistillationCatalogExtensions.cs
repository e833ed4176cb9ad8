using MLNetDeep.Estimators.Vision;

namespace MLNetDeep;

/// <summary>Knowledge distillation on <c>ctx.Distillation.Trainers</c>.</summary>
public static class DistillationCatalogExtensions
{
    /// <summary>
    /// A student image classifier distilled from <paramref name="teacher"/> (Hinton et al. 2015): soft targets at
    /// <paramref name="temperature"/> (loss scaled by T²) weighted by <paramref name="alpha"/>, mixed with the hard-label loss.
    /// </summary>
    /// <param name="catalog">The distillation trainers catalog.</param>
    /// <param name="teacher">A fitted transformer producing a Score vector of class probabilities (e.g. an image classifier, or ApplyOnnxModel).</param>
    /// <param name="studentOptions">The student's architecture, columns and training settings.</param>
    /// <param name="temperature">Softmax temperature T of the soft targets.</param>
    /// <param name="alpha">Weight of the soft-target loss in [0, 1].</param>
    public static DistillationTrainer Student(this TrainersCatalog catalog, ITransformer teacher, ImageClassifierOptions studentOptions,
        double temperature = DistillationOptions.Defaults.Temperature, double alpha = DistillationOptions.Defaults.Alpha) =>
        Student(catalog, teacher, new DistillationOptions { Student = studentOptions, Temperature = temperature, Alpha = alpha });

    /// <summary>A distilled student with full options.</summary>
    /// <param name="catalog">The distillation trainers catalog.</param>
    /// <param name="teacher">A fitted transformer producing a Score vector of class probabilities.</param>
    /// <param name="options">Options.</param>
    public static DistillationTrainer Student(this TrainersCatalog catalog, ITransformer teacher, DistillationOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new DistillationTrainer(catalog.Context, teacher, options);
    }
}
