using MLNetDeep.Data;
using MLNetDeep.Persistence;

namespace MLNetDeep.Estimators.Compression;

/// <summary>
/// An independent copy of a fitted classifier, made by saving it to a temporary model file and loading it back
/// through the component registry, so that compression never modifies the caller's model (works for any savable
/// <see cref="INetworkClassifier"/> without knowing how to build its network).
/// </summary>
internal static class NetworkClassifierCopy
{
    public static INetworkClassifier Clone(INetworkClassifier model, DataViewSchema inputSchema)
    {
        string path = Path.Combine(Path.GetTempPath(), $"mlnetdeep-copy-{Guid.NewGuid():N}.zip");
        try
        {
            ModelArchive.Save(model, inputSchema, path);
            var loaded = ModelArchive.Load(path, out _);
            return loaded as INetworkClassifier
                ?? throw new InvalidOperationException($"{model.GetType().Name} loads back as {loaded.GetType().Name}, which is not an {nameof(INetworkClassifier)}.");
        }
        finally
        {
            try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
