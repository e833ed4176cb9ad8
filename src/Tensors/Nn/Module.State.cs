namespace MLNetDeep.Tensors.Nn;

public abstract partial class Module
{
    /// <summary>
    /// The module's state: every parameter and persistent buffer under its qualified name — each
    /// module's parameters, then its buffers, then its children's state, in registration order (PyTorch's
    /// order). Values are detached views that share storage with the module, so they see later updates;
    /// clone them to keep a snapshot. A tensor shared between modules appears under each of its names.
    /// </summary>
    public OrderedDictionary<string, Tensor> StateDict()
    {
        var dict = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
        AddState(dict, "");
        return dict;
    }

    private void AddState(OrderedDictionary<string, Tensor> dict, string prefix)
    {
        foreach (var (name, t) in _parameters) dict.Add(Join(prefix, name), t.Detach());
        foreach (var (name, t) in _buffers)
            if (!_nonPersistentBuffers.Contains(name)) dict.Add(Join(prefix, name), t.Detach());
        foreach (var (name, child) in _children) child.AddState(dict, Join(prefix, name));
    }

    /// <summary>
    /// Copies values from <paramref name="stateDict"/> into this module's parameters and buffers, in
    /// place (the tensors keep their identity, so optimizers holding them stay valid). Everything is
    /// checked before anything is copied: on error the module is unchanged.
    /// </summary>
    /// <param name="stateDict">Name → tensor, as produced by <see cref="StateDict"/> or read from a file.</param>
    /// <param name="strict">When true, a key the module has but the dictionary lacks (missing) or the
    /// reverse (unexpected) is an error; when false such keys are skipped and reported in the result.</param>
    /// <returns>The missing and unexpected keys (both empty after a strict load).</returns>
    /// <exception cref="StateDictException">A key is missing or unexpected (strict), or an entry's dtype or shape differs.</exception>
    public LoadStateDictResult LoadStateDict(IReadOnlyDictionary<string, Tensor> stateDict, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        var own = StateDict();
        var missing = own.Keys.Where(k => !stateDict.ContainsKey(k)).ToList();
        var unexpected = stateDict.Keys.Where(k => !own.ContainsKey(k)).ToList();
        if (strict && (missing.Count > 0 || unexpected.Count > 0))
        {
            var parts = new List<string>();
            if (missing.Count > 0) parts.Add("missing key(s): " + string.Join(", ", missing.Select(k => $"'{k}'")));
            if (unexpected.Count > 0) parts.Add("unexpected key(s): " + string.Join(", ", unexpected.Select(k => $"'{k}'")));
            string first = missing.Count > 0 ? missing[0] : unexpected[0];
            throw new StateDictException(first, $"Error loading state dict into {GetType().Name}: {string.Join("; ", parts)}.", missing, unexpected);
        }

        var pairs = new List<(Tensor Target, Tensor Source)>();
        foreach (var (key, target) in own)
        {
            if (!stateDict.TryGetValue(key, out var source)) continue;
            if (source is null)
                throw new StateDictException(key, $"State dict entry '{key}' is null.", missing, unexpected);
            if (source.DType != target.DType)
                throw new StateDictException(key, $"State dict entry '{key}' has dtype {source.DType}, the module expects {target.DType}.", missing, unexpected);
            if (!source.Shape.SequenceEqual(target.Shape))
                throw new StateDictException(key,
                    $"State dict entry '{key}' has shape {ShapeUtil.Format(source.Shape)}, the module expects {ShapeUtil.Format(target.Shape)}.",
                    missing, unexpected);
            pairs.Add((target, source));
        }
        using (Tensor.NoGrad())
            foreach (var (target, source) in pairs)
                if (target.Numel > 0) target.CopyFrom(source.Detach()); // nothing to copy (and the core cannot copy some empty shapes)
        return new LoadStateDictResult(missing, unexpected);
    }
}

/// <summary>Outcome of <see cref="Module.LoadStateDict"/>.</summary>
/// <param name="MissingKeys">Keys the module has that the dictionary lacked (left unchanged).</param>
/// <param name="UnexpectedKeys">Keys in the dictionary that the module does not have (ignored).</param>
public sealed record LoadStateDictResult(IReadOnlyList<string> MissingKeys, IReadOnlyList<string> UnexpectedKeys);

/// <summary>A state dict does not fit a module: a key is missing or unexpected, or an entry has the wrong dtype or shape.</summary>
public sealed class StateDictException : Exception
{
    /// <summary>The (first) offending key.</summary>
    public string Key { get; }

    /// <summary>Every key the module has that the dictionary lacked.</summary>
    public IReadOnlyList<string> MissingKeys { get; }

    /// <summary>Every key in the dictionary that the module does not have.</summary>
    public IReadOnlyList<string> UnexpectedKeys { get; }

    /// <summary>Creates the exception.</summary>
    /// <param name="key">The offending key.</param>
    /// <param name="message">What is wrong, naming the key.</param>
    /// <param name="missingKeys">All missing keys.</param>
    /// <param name="unexpectedKeys">All unexpected keys.</param>
    public StateDictException(string key, string message, IReadOnlyList<string>? missingKeys = null, IReadOnlyList<string>? unexpectedKeys = null)
        : base(message)
    {
        Key = key;
        MissingKeys = missingKeys ?? [];
        UnexpectedKeys = unexpectedKeys ?? [];
    }
}
