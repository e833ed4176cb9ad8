using MLNetDeep.Data;
using MLNetDeep.Persistence;
using MLNetDeep.Prediction;

namespace MLNetDeep;

/// <summary>
/// Saving, loading and scoring fitted models (ML.NET's <c>mlContext.Model</c>). The class is partial: the
/// ONNX packages add <c>ExportOnnx</c> here for transformers implementing their export interface.
/// </summary>
public sealed partial class ModelOperationsCatalog : CatalogBase
{
    internal ModelOperationsCatalog(DeepContext context) : base(context) { }

    /// <summary>Saves <paramref name="model"/> and the schema it was fitted on to one zip file, atomically (see <see cref="ModelArchive"/>).</summary>
    /// <param name="model">The fitted model (a chain or a single transformer).</param>
    /// <param name="inputSchema">The schema of the data the model takes (e.g. <c>trainData.Schema</c>).</param>
    /// <param name="path">Destination file.</param>
    public void Save(ITransformer model, DataViewSchema inputSchema, string path) => ModelArchive.Save(model, inputSchema, path);

    /// <summary>Loads a model saved by <see cref="Save"/>.</summary>
    /// <param name="path">The model file.</param>
    /// <param name="inputSchema">The schema the model expects.</param>
    /// <exception cref="ModelFormatException">The file is corrupt, truncated, of another version or names unknown components.</exception>
    public ITransformer Load(string path, out DataViewSchema inputSchema) => ModelArchive.Load(path, out inputSchema);

    /// <summary>A single-row scoring engine, safe to call from many threads at once.</summary>
    /// <typeparam name="TSrc">Input row type (its members provide the model's input columns).</typeparam>
    /// <typeparam name="TDst">Output row type (members matched to output columns by name).</typeparam>
    /// <param name="model">The fitted model.</param>
    public PredictionEngine<TSrc, TDst> CreatePredictionEngine<TSrc, TDst>(ITransformer model) where TSrc : class where TDst : class, new() =>
        new(model);
}
