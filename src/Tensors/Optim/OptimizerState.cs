namespace MLNetDeep.Tensors.Optim;

/// <summary>
/// A complete, detached snapshot of an optimizer: what <see cref="Optimizer.GetState"/> returns and
/// <see cref="Optimizer.LoadState"/> restores. Loading it into a fresh optimizer over the same
/// parameters continues training bit-identically.
/// </summary>
/// <remarks>
/// <para><see cref="Tensors"/> holds the per-parameter buffers, keyed <c>"{index}.{name}"</c> by the
/// parameter's position in <see cref="Optimizer.Parameters"/> (for example <c>"3.exp_avg"</c>);
/// each is a copy with the parameter's shape and dtype.</para>
/// <para><see cref="Scalars"/> holds everything else as invariant-culture strings: <c>"type"</c> (the
/// optimizer's class name), <c>"param_count"</c>, <c>"step_count"</c>, <c>"lr"</c>, the optimizer's other
/// hyperparameters (PyTorch names: <c>"momentum"</c>, <c>"beta1"</c>, …) and <c>"{index}.step"</c>
/// for every parameter that has state. Doubles are written round-trippable, so the whole object
/// maps one to one onto a safetensors file (tensors plus string metadata).</para>
/// </remarks>
public sealed class OptimizerState
{
    /// <summary>Per-parameter buffers keyed <c>"{index}.{name}"</c>.</summary>
    public Dictionary<string, Tensor> Tensors { get; } = new(StringComparer.Ordinal);

    /// <summary>Step counts, hyperparameters and the optimizer type, as invariant-culture strings.</summary>
    public Dictionary<string, string> Scalars { get; } = new(StringComparer.Ordinal);
}

/// <summary>
/// What an optimizer keeps for one parameter: named buffers shaped like the parameter (for example
/// Adam's <c>exp_avg</c>) and the number of steps in which this parameter had a gradient.
/// </summary>
public sealed class ParameterState
{
    private readonly Dictionary<string, Tensor> _buffers = new(StringComparer.Ordinal);

    internal ParameterState(Tensor parameter) => Parameter = parameter;

    /// <summary>The parameter this state belongs to.</summary>
    public Tensor Parameter { get; }

    /// <summary>Number of optimizer steps that updated this parameter (PyTorch's per-parameter <c>state['step']</c>).</summary>
    public int Step { get; internal set; }

    /// <summary>True once the parameter has been stepped or has buffers (such state is saved by <see cref="Optimizer.GetState"/>).</summary>
    public bool IsInitialized => Step > 0 || _buffers.Count > 0;

    /// <summary>The buffers by name.</summary>
    public IReadOnlyDictionary<string, Tensor> Buffers => _buffers;

    /// <summary>The buffer called <paramref name="name"/>, or null when it does not exist yet.</summary>
    public Tensor? Buffer(string name) => _buffers.GetValueOrDefault(name);

    /// <summary>The buffer called <paramref name="name"/>, created (shaped like the parameter, filled with <paramref name="initialValue"/>) when missing.</summary>
    public Tensor GetOrAddBuffer(string name, double initialValue = 0)
    {
        if (!_buffers.TryGetValue(name, out var b))
        {
            b = Tensor.Full(Parameter.Dims, initialValue, Parameter.DType);
            _buffers.Add(name, b);
        }
        return b;
    }

    /// <summary>Adds or replaces the buffer called <paramref name="name"/>.</summary>
    internal void SetBuffer(string name, Tensor buffer) => _buffers[name] = buffer;

    internal void Clear()
    {
        _buffers.Clear();
        Step = 0;
    }
}
