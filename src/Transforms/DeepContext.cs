namespace MLNetDeep;

/// <summary>
/// The entry point, like ML.NET's MLContext: catalogs of loaders, transforms, model operations and one
/// catalog per task family whose trainers are extension methods (defined in MLNetDeep.Estimators and
/// later packages). One seed makes every component reproducible.
/// </summary>
public sealed class DeepContext
{
    private readonly Random _seeds;
    private readonly object _gate = new();

    /// <summary>Creates a context.</summary>
    /// <param name="seed">Seed for every random choice (shuffles, initial weights); null: a fresh random seed.</param>
    public DeepContext(int? seed = null)
    {
        Seed = seed;
        _seeds = seed is int s ? new Random(s) : new Random();
        Data = new DataOperationsCatalog(this);
        Transforms = new TransformsCatalog(this);
        Model = new ModelOperationsCatalog(this);
        Text = new TextCatalog(this);
        Translation = new TranslationCatalog(this);
        Vision = new VisionCatalog(this);
        Distillation = new DistillationCatalog(this);
    }

    /// <summary>The seed given at construction, or null.</summary>
    public int? Seed { get; }

    /// <summary>Loaders, splits, shuffles and conversions of data.</summary>
    public DataOperationsCatalog Data { get; }

    /// <summary>Data transforms (text, image, conversion).</summary>
    public TransformsCatalog Transforms { get; }

    /// <summary>Save, load, prediction engines (ONNX export plugs in here).</summary>
    public ModelOperationsCatalog Model { get; }

    /// <summary>Text tasks (classification, embeddings such as Word2Vec).</summary>
    public TextCatalog Text { get; }

    /// <summary>Sequence-to-sequence translation.</summary>
    public TranslationCatalog Translation { get; }

    /// <summary>Vision tasks (classification, detection).</summary>
    public VisionCatalog Vision { get; }

    /// <summary>Knowledge distillation.</summary>
    public DistillationCatalog Distillation { get; }

    /// <summary>Messages from components (training progress, data statistics, warnings).</summary>
    public event EventHandler<LoggingEventArgs>? Log;

    /// <summary>Raises <see cref="Log"/> (for component authors).</summary>
    /// <param name="source">The component writing (e.g. <c>TextClassifier</c>).</param>
    /// <param name="message">The message.</param>
    /// <param name="kind">Severity.</param>
    public void WriteLog(string source, string message, LogKind kind = LogKind.Info) =>
        Log?.Invoke(this, new LoggingEventArgs(source, message, kind));

    /// <summary>
    /// A seed for a component: drawn from the context's seed, so components created in the same order get
    /// the same seeds run after run.
    /// </summary>
    public int NextSeed()
    {
        lock (_gate) return _seeds.Next();
    }
}

/// <summary>Severity of a <see cref="DeepContext.Log"/> message.</summary>
public enum LogKind
{
    /// <summary>Detail (per step).</summary>
    Trace,
    /// <summary>Normal information (per epoch, summaries).</summary>
    Info,
    /// <summary>Something looks wrong but work goes on.</summary>
    Warning,
}

/// <summary>One <see cref="DeepContext.Log"/> message.</summary>
/// <param name="Source">The component writing.</param>
/// <param name="Message">The message.</param>
/// <param name="Kind">Severity.</param>
public sealed record LoggingEventArgs(string Source, string Message, LogKind Kind);

/// <summary>Typed training progress, reported through <see cref="IProgress{T}"/>.</summary>
/// <param name="Epoch">Current epoch (1-based).</param>
/// <param name="NumberOfEpochs">Planned epochs.</param>
/// <param name="Step">Optimizer steps taken so far (all epochs).</param>
/// <param name="TrainLoss">Mean training loss over the epoch so far.</param>
/// <param name="ValidationLoss">Validation loss at the end of the epoch, when validation data was given.</param>
/// <param name="RowsPerSecond">Training throughput over the epoch so far.</param>
/// <param name="Elapsed">Time since training started.</param>
/// <param name="IsEpochEnd">Whether this report closes an epoch.</param>
public sealed record TrainingProgress(int Epoch, int NumberOfEpochs, long Step, double TrainLoss, double? ValidationLoss,
    double RowsPerSecond, TimeSpan Elapsed, bool IsEpochEnd);
