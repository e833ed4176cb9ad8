using MLNetDeep.Data;

namespace MLNetDeep.Cli.Verbs;

/// <summary>Finds the one component of a given type in a saved model (the whole model or one link of a chain).</summary>
internal static class ModelComponent
{
    /// <summary>Loads <paramref name="path"/> and returns its first <typeparamref name="T"/>, or throws naming the file and the components it holds.</summary>
    public static T Find<T>(DeepContext ctx, FileInfo path, string what) where T : class, ITransformer
    {
        var loaded = ctx.Model.Load(path.FullName, out _);
        var parts = loaded is TransformerChain<ITransformer> chain ? chain.Transformers : [loaded];
        return parts.OfType<T>().FirstOrDefault()
            ?? throw new InvalidOperationException($"{path.FullName} has no {what} (components: {string.Join(", ", parts.Select(p => p.GetType().Name))}).");
    }
}
