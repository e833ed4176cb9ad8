namespace MLNetDeep.Tensors.Nn.Pruning;

/// <summary>
/// Binary masks over a network's parameters (true = kept). <see cref="Apply"/> zeroes the pruned entries in place;
/// a fine-tuning loop calls it after every optimizer step so that pruned weights stay exactly zero whatever the
/// optimizer's momentum does. Masks only ever shrink: <see cref="Intersect"/> keeps an entry only when both masks keep it.
/// </summary>
public sealed class PruningMasks
{
    private readonly List<(string Name, Tensor Parameter, bool[] Keep)> _entries = [];

    /// <summary>The masked parameters by qualified name.</summary>
    public IEnumerable<string> Names => _entries.Select(e => e.Name);

    /// <summary>Number of masked parameters.</summary>
    public int Count => _entries.Count;

    /// <summary>The mask of parameter <paramref name="name"/> (one flag per element, row-major; true = kept), or null.</summary>
    public IReadOnlyList<bool>? this[string name] => _entries.FirstOrDefault(e => e.Name == name).Keep;

    /// <summary>Adds (or narrows, when <paramref name="name"/> is already masked) the mask of one parameter.</summary>
    /// <param name="name">The parameter's qualified name.</param>
    /// <param name="parameter">The parameter (float32, contiguous).</param>
    /// <param name="keep">One flag per element; true keeps the element.</param>
    public void Add(string name, Tensor parameter, bool[] keep)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        ArgumentNullException.ThrowIfNull(keep);
        if (parameter.DType != DType.Float32) throw new ArgumentException($"Parameter '{name}' is {parameter.DType}; pruning masks float32 parameters.", nameof(parameter));
        if (!parameter.IsContiguous) throw new ArgumentException($"Parameter '{name}' is not contiguous.", nameof(parameter));
        if (keep.Length != parameter.Numel) throw new ArgumentException($"Mask of '{name}' has {keep.Length} flags for {parameter.Numel} elements.", nameof(keep));
        int existing = _entries.FindIndex(e => e.Name == name);
        if (existing < 0)
        {
            _entries.Add((name, parameter, (bool[])keep.Clone()));
            return;
        }
        var old = _entries[existing].Keep;
        for (int i = 0; i < old.Length; i++) old[i] &= keep[i];
    }

    /// <summary>Narrows these masks by every mask of <paramref name="other"/> (an entry stays kept only when both keep it).</summary>
    public void Intersect(PruningMasks other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var (name, parameter, keep) in other._entries) Add(name, parameter, keep);
    }

    /// <summary>Zeroes every pruned element of the masked parameters, in place (no autograd record).</summary>
    public void Apply()
    {
        foreach (var (_, parameter, keep) in _entries)
        {
            var data = parameter.Data<float>();
            for (int i = 0; i < keep.Length; i++)
                if (!keep[i]) data[i] = 0f;
        }
    }

    /// <summary>Pruned elements over masked elements (0 when nothing is masked).</summary>
    public double Sparsity
    {
        get
        {
            long total = 0, pruned = 0;
            foreach (var (_, _, keep) in _entries)
            {
                total += keep.Length;
                foreach (bool k in keep) if (!k) pruned++;
            }
            return total == 0 ? 0 : (double)pruned / total;
        }
    }
}
