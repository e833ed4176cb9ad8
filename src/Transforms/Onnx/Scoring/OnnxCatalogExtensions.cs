using MLNetDeep.Onnx;
using MLNetDeep.Onnx.Scoring;

namespace MLNetDeep;

/// <summary>Applies ONNX models to data with the managed runtime: <c>ctx.Transforms.ApplyOnnxModel(...)</c>, as in ML.NET.</summary>
public static class OnnxCatalogExtensions
{
    /// <summary>Applies <paramref name="modelFile"/>: every model input reads the column of the same name, every output becomes a column.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="modelFile">The .onnx file.</param>
    /// <param name="batchSize">Rows per run of the model.</param>
    /// <exception cref="OnnxModelException">The file is not a valid or supported ONNX model.</exception>
    public static OnnxScoringEstimator ApplyOnnxModel(this TransformsCatalog catalog, string modelFile, int batchSize = 64) =>
        ApplyOnnxModel(catalog, [], [], modelFile, null, batchSize);

    /// <summary>Applies <paramref name="modelFile"/>, feeding model input <paramref name="inputColumnName"/> and producing output <paramref name="outputColumnName"/>.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The model output to produce (the column takes its name).</param>
    /// <param name="inputColumnName">The model input to feed (from the column of that name).</param>
    /// <param name="modelFile">The .onnx file.</param>
    /// <param name="batchSize">Rows per run of the model.</param>
    public static OnnxScoringEstimator ApplyOnnxModel(this TransformsCatalog catalog, string outputColumnName, string inputColumnName, string modelFile, int batchSize = 64) =>
        ApplyOnnxModel(catalog, [outputColumnName], [inputColumnName], modelFile, null, batchSize);

    /// <summary>Applies <paramref name="modelFile"/> with chosen inputs/outputs and optional shapes replacing the model's declared ones.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnNames">Model outputs to produce; empty: all.</param>
    /// <param name="inputColumnNames">Model inputs to feed; empty: all.</param>
    /// <param name="modelFile">The .onnx file.</param>
    /// <param name="shapeDictionary">Shapes by input/output name (-1: dynamic axis), or null.</param>
    /// <param name="batchSize">Rows per run of the model.</param>
    public static OnnxScoringEstimator ApplyOnnxModel(this TransformsCatalog catalog, string[] outputColumnNames, string[] inputColumnNames, string modelFile,
        IDictionary<string, int[]>? shapeDictionary = null, int batchSize = 64)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(modelFile);
        if (!File.Exists(modelFile)) throw new FileNotFoundException($"ApplyOnnxModel: model file '{modelFile}' not found.", modelFile);
        var limits = OnnxLoadOptions.Default;
        long length = new FileInfo(modelFile).Length;
        if (length > limits.MaxFileBytes) throw new OnnxLimitException(modelFile, $"{length} bytes, over the {limits.MaxFileBytes}-byte limit.");
        return new OnnxScoringEstimator(new OnnxTransformer(File.ReadAllBytes(modelFile), outputColumnNames, inputColumnNames, shapeDictionary, batchSize, limits));
    }

    /// <summary>Applies the ONNX model read from <paramref name="modelStream"/> (read to its end; the stream stays open).</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="modelStream">A stream holding an ONNX model.</param>
    /// <param name="outputColumnNames">Model outputs to produce; null or empty: all.</param>
    /// <param name="inputColumnNames">Model inputs to feed; null or empty: all.</param>
    /// <param name="shapeDictionary">Shapes by input/output name (-1: dynamic axis), or null.</param>
    /// <param name="batchSize">Rows per run of the model.</param>
    public static OnnxScoringEstimator ApplyOnnxModel(this TransformsCatalog catalog, Stream modelStream, string[]? outputColumnNames = null, string[]? inputColumnNames = null,
        IDictionary<string, int[]>? shapeDictionary = null, int batchSize = 64)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(modelStream);
        using var ms = new MemoryStream();
        modelStream.CopyTo(ms);
        return new OnnxScoringEstimator(new OnnxTransformer(ms.ToArray(), outputColumnNames, inputColumnNames, shapeDictionary, batchSize));
    }

    /// <summary>
    /// Exports the network of the fitted <paramref name="model"/> (a chain whose one model component implements
    /// <see cref="IOnnxExportable"/>, such as the text classifier) to ONNX. The graph's inputs are that
    /// component's input columns as they are in <paramref name="data"/> after the preceding (data-preparation)
    /// components, which stay outside the graph; components after it stay outside too. See docs/onnx.md.
    /// </summary>
    /// <param name="catalog">The model catalog.</param>
    /// <param name="model">The fitted model.</param>
    /// <param name="data">Data with the model's input schema (only its schema is read).</param>
    /// <param name="stream">Destination; stays open.</param>
    /// <exception cref="OnnxExport.OnnxExportException">No component can export, or a column type has no ONNX input form.</exception>
    public static void ExportOnnx(this ModelOperationsCatalog catalog, ITransformer model, Data.IDataView data, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(stream);
        var proto = OnnxPipelineExport.Export(model, data, catalog.Context);
        OnnxExport.OnnxModelWriter.Write(proto, stream);
    }

    /// <summary>Exports like <see cref="ExportOnnx(ModelOperationsCatalog, ITransformer, Data.IDataView, Stream)"/> to <paramref name="path"/>, atomically.</summary>
    /// <param name="catalog">The model catalog.</param>
    /// <param name="model">The fitted model.</param>
    /// <param name="data">Data with the model's input schema.</param>
    /// <param name="path">Destination .onnx file.</param>
    public static void ExportOnnx(this ModelOperationsCatalog catalog, ITransformer model, Data.IDataView data, string path)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(path);
        OnnxExport.OnnxModelWriter.Save(OnnxPipelineExport.Export(model, data, catalog.Context), path);
    }
}

/// <summary>The estimator of <see cref="OnnxTransformer"/>: nothing to learn, fitting checks the schema.</summary>
/// <param name="transformer">The transformer returned by <c>Fit</c>.</param>
public sealed class OnnxScoringEstimator(OnnxTransformer transformer) : TrivialEstimator<OnnxTransformer>(transformer);
