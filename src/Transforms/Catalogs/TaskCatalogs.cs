namespace MLNetDeep;

/// <summary>Base of every catalog: gives extension methods (in other assemblies) the context.</summary>
public abstract class CatalogBase
{
    /// <summary>Creates the catalog.</summary>
    protected CatalogBase(DeepContext context) => Context = context ?? throw new ArgumentNullException(nameof(context));

    /// <summary>The owning context (seed, log) for component authors.</summary>
    public DeepContext Context { get; }
}

/// <summary>
/// Where trainers of one task family hang: trainers are extension methods on this class defined in
/// MLNetDeep.Estimators (e.g. <c>ctx.Text.Trainers.TextClassifier(...)</c>), as in ML.NET.
/// </summary>
public sealed class TrainersCatalog : CatalogBase
{
    internal TrainersCatalog(DeepContext context, string task) : base(context) => Task = task;

    /// <summary>The task family (<c>Text</c>, <c>Translation</c>, …), for messages.</summary>
    public string Task { get; }
}

/// <summary>Text tasks: classification, embeddings.</summary>
public sealed class TextCatalog : CatalogBase
{
    internal TextCatalog(DeepContext context) : base(context) => Trainers = new TrainersCatalog(context, "Text");

    /// <summary>Text trainers (extension methods).</summary>
    public TrainersCatalog Trainers { get; }
}

/// <summary>Sequence-to-sequence translation.</summary>
public sealed class TranslationCatalog : CatalogBase
{
    internal TranslationCatalog(DeepContext context) : base(context) => Trainers = new TrainersCatalog(context, "Translation");

    /// <summary>Translation trainers (extension methods).</summary>
    public TrainersCatalog Trainers { get; }
}

/// <summary>Vision tasks: image classification, object detection.</summary>
public sealed class VisionCatalog : CatalogBase
{
    internal VisionCatalog(DeepContext context) : base(context) => Trainers = new TrainersCatalog(context, "Vision");

    /// <summary>Vision trainers (extension methods).</summary>
    public TrainersCatalog Trainers { get; }
}

/// <summary>Knowledge distillation (teacher → student).</summary>
public sealed class DistillationCatalog : CatalogBase
{
    internal DistillationCatalog(DeepContext context) : base(context) => Trainers = new TrainersCatalog(context, "Distillation");

    /// <summary>Distillation trainers (extension methods).</summary>
    public TrainersCatalog Trainers { get; }
}
