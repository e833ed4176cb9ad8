using System.Collections.Concurrent;

namespace MLNetDeep.Persistence;

/// <summary>
/// The explicit table of loaders for saved components: a model file names components, and only names
/// registered here can be loaded (no type names from files are ever resolved by reflection). Built-in
/// transforms are registered here; other assemblies register theirs once at start-up (the estimators do
/// so from a module initializer).
/// </summary>
public static class ComponentRegistry
{
    private static readonly ConcurrentDictionary<string, Func<ModelLoadContext, ITransformer>> Loaders = new(StringComparer.Ordinal);

    static ComponentRegistry()
    {
        Register(TransformerChain<ITransformer>.ComponentName, c => new TransformerChain<ITransformer>(c.Children));
        Text.WordTokenizingTransformer.RegisterLoader();
        Text.CharacterTokenizingTransformer.RegisterLoader();
        Text.TextNormalizingTransformer.RegisterLoader();
        Conversion.ValueToKeyMappingTransformer.RegisterLoader();
        Conversion.KeyToValueMappingTransformer.RegisterLoader();
    }

    /// <summary>Registers (or replaces) the loader for component <paramref name="name"/>.</summary>
    public static void Register(string name, Func<ModelLoadContext, ITransformer> loader)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(loader);
        Loaders[name] = loader;
    }

    /// <summary>Whether a loader is registered under <paramref name="name"/>.</summary>
    public static bool IsRegistered(string name) => Loaders.ContainsKey(name);

    /// <summary>The registered names (sorted).</summary>
    public static IReadOnlyList<string> Names => [.. Loaders.Keys.Order(StringComparer.Ordinal)];

    internal static bool TryGet(string name, out Func<ModelLoadContext, ITransformer> loader) => Loaders.TryGetValue(name, out loader!);
}
