using System.Runtime.CompilerServices;
using MLNetDeep.Estimators.Sequence;
using MLNetDeep.Estimators.Text;
using MLNetDeep.Estimators.Word2Vec;
using MLNetDeep.Estimators.Translation;
using MLNetDeep.Estimators.Vision;
using MLNetDeep.Estimators.Vision.Detection;
using MLNetDeep.Estimators.Vision.Segmentation;
using MLNetDeep.Persistence;

namespace MLNetDeep.Estimators;

/// <summary>Registers the loaders of the components in this assembly with <see cref="ComponentRegistry"/>.</summary>
public static class EstimatorsRegistration
{
    private static int _done;

    /// <summary>Registers the loaders (idempotent). Runs automatically when the assembly loads; call it explicitly before loading models in a process that never touched this assembly.</summary>
    public static void EnsureRegistered()
    {
        if (Interlocked.Exchange(ref _done, 1) == 1) return;
        ComponentRegistry.Register(TextClassificationTransformer.ComponentName, TextClassificationTransformer.Load);
        ComponentRegistry.Register(SequenceClassificationTransformer.ComponentName, SequenceClassificationTransformer.Load);
        ComponentRegistry.Register(NextWordPredictionTransformer.ComponentName, NextWordPredictionTransformer.Load);
        ComponentRegistry.Register(Word2VecTransformer.ComponentName, Word2VecTransformer.Load);
        ComponentRegistry.Register(Seq2SeqTransformer.ComponentName, Seq2SeqTransformer.Load);
        ComponentRegistry.Register(ImageClassificationTransformer.ComponentName, ImageClassificationTransformer.Load);
        ComponentRegistry.Register(Compression.QuantizedClassifierTransformer.ComponentName, Compression.QuantizedClassifierTransformer.Load);
        ComponentRegistry.Register(ObjectDetectionTransformer.ComponentName, ObjectDetectionTransformer.Load);
        ComponentRegistry.Register(SemanticSegmentationTransformer.ComponentName, SemanticSegmentationTransformer.Load);
    }

#pragma warning disable CA2255 // a library module initializer is the point here: loaders exist as soon as the assembly is loaded
    [ModuleInitializer]
    internal static void Initialize() => EnsureRegistered();
#pragma warning restore CA2255
}
