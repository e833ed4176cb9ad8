namespace MLNetDeep.Tensors.Nn;

/// <summary>
/// Base class of layers and models. A module owns parameters (trainable tensors), buffers
/// (non-trainable state such as running statistics) and child modules, all registered explicitly by
/// name in the constructor — nothing is discovered by reflection. Qualified names join the path with
/// dots (<c>"fc1.weight"</c>, <c>"0.bias"</c>), as in PyTorch, so state dicts are interchangeable.
/// </summary>
public abstract partial class Module
{
    private readonly List<KeyValuePair<string, Tensor>> _parameters = [];
    private readonly List<KeyValuePair<string, Tensor>> _buffers = [];
    private readonly HashSet<string> _nonPersistentBuffers = new(StringComparer.Ordinal);
    private readonly List<KeyValuePair<string, Module>> _children = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    /// <summary>True in training mode (the default), false after <see cref="Eval"/>; layers such as dropout read it.</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>
    /// Registers a trainable parameter: marks <paramref name="value"/> as requiring gradients and returns it.
    /// </summary>
    /// <param name="name">Local name: non-empty, without '.', unique within this module.</param>
    /// <param name="value">A floating-point leaf tensor (not the output of a recorded operation).</param>
    /// <exception cref="ArgumentException">The name is invalid or taken, or the tensor is not a floating-point leaf.</exception>
    protected Tensor RegisterParameter(string name, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        ValidateNewName(name);
        if (!value.IsFloatingPoint) throw new ArgumentException($"Parameter '{name}' must be floating-point, got {value.DType}.", nameof(value));
        if (!value.IsLeaf) throw new ArgumentException($"Parameter '{name}' must be a leaf tensor; pass value.Detach().", nameof(value));
        value.RequiresGrad = true;
        _names.Add(name);
        _parameters.Add(new(name, value));
        return value;
    }

    /// <summary>
    /// Registers a buffer: state that is saved and loaded with the module but not trained (its
    /// <see cref="Tensor.RequiresGrad"/> is left as is). Non-persistent buffers are left out of <see cref="StateDict"/>.
    /// </summary>
    /// <param name="name">Local name: non-empty, without '.', unique within this module.</param>
    /// <param name="value">The tensor (any dtype).</param>
    /// <param name="persistent">Whether the buffer belongs to the state dict.</param>
    /// <exception cref="ArgumentException">The name is invalid or taken.</exception>
    protected Tensor RegisterBuffer(string name, Tensor value, bool persistent = true)
    {
        ArgumentNullException.ThrowIfNull(value);
        ValidateNewName(name);
        _names.Add(name);
        _buffers.Add(new(name, value));
        if (!persistent) _nonPersistentBuffers.Add(name);
        return value;
    }

    /// <summary>Registers a child module and returns it. The child takes this module's training mode.</summary>
    /// <param name="name">Local name: non-empty, without '.', unique within this module.</param>
    /// <param name="module">The child; it must not contain this module (no cycles).</param>
    /// <exception cref="ArgumentException">The name is invalid or taken, or the registration would create a cycle.</exception>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        ValidateNewName(name);
        if (module.NamedModules().Any(m => ReferenceEquals(m.Value, this)))
            throw new ArgumentException($"Registering '{name}' would make module {GetType().Name} its own descendant.", nameof(module));
        _names.Add(name);
        _children.Add(new(name, module));
        module.Train(IsTraining);
        return module;
    }

    private void ValidateNewName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0) throw new ArgumentException("A registered name must not be empty.", nameof(name));
        if (name.Contains('.')) throw new ArgumentException($"Registered name '{name}' must not contain '.'.", nameof(name));
        if (_names.Contains(name)) throw new ArgumentException($"Name '{name}' is already registered in {GetType().Name}.", nameof(name));
    }

    /// <summary>Immediate children in registration order.</summary>
    public IEnumerable<Module> Children() => _children.Select(c => c.Value);

    /// <summary>Immediate children with their local names, in registration order.</summary>
    public IEnumerable<KeyValuePair<string, Module>> NamedChildren() => _children;

    /// <summary>
    /// This module (named <c>""</c>) and every descendant, depth-first in registration order, each
    /// module once (a module shared by two parents is reported under its first name).
    /// </summary>
    public IEnumerable<KeyValuePair<string, Module>> NamedModules()
    {
        var seen = new HashSet<Module>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<KeyValuePair<string, Module>>();
        stack.Push(new("", this));
        while (stack.Count > 0)
        {
            var entry = stack.Pop();
            if (!seen.Add(entry.Value)) continue;
            yield return entry;
            var kids = entry.Value._children;
            for (int i = kids.Count - 1; i >= 0; i--)
                stack.Push(new(Join(entry.Key, kids[i].Key), kids[i].Value));
        }
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

    /// <summary>
    /// Parameters with qualified names: each module's own parameters first, then its children's,
    /// in registration order. A tensor registered under several names is reported once, under the first.
    /// </summary>
    public IEnumerable<KeyValuePair<string, Tensor>> NamedParameters() => Collect(m => m._parameters);

    /// <summary>Every parameter once, in the order of <see cref="NamedParameters"/>.</summary>
    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(p => p.Value);

    /// <summary>Buffers with qualified names, in the order of <see cref="NamedParameters"/>, each tensor once.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> NamedBuffers() => Collect(m => m._buffers);

    /// <summary>Every buffer once.</summary>
    public IEnumerable<Tensor> Buffers() => NamedBuffers().Select(b => b.Value);

    private IEnumerable<KeyValuePair<string, Tensor>> Collect(Func<Module, List<KeyValuePair<string, Tensor>>> pick)
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (prefix, module) in NamedModules())
            foreach (var (name, tensor) in pick(module))
                if (seen.Add(tensor)) yield return new(Join(prefix, name), tensor);
    }

    /// <summary>Total number of parameter elements (shared parameters counted once).</summary>
    public long ParameterCount => Parameters().Sum(p => (long)p.Numel);

    /// <summary>Sets training mode on this module and all descendants; returns this module.</summary>
    /// <param name="on">True for training mode, false for evaluation mode.</param>
    public Module Train(bool on = true)
    {
        foreach (var (_, m) in NamedModules()) m.IsTraining = on;
        return this;
    }

    /// <summary>Switches this module and all descendants to evaluation mode; returns this module.</summary>
    public Module Eval() => Train(false);

    /// <summary>
    /// Clears the gradients of all parameters: zeroes them in place (PyTorch 1.13's default, which lets
    /// the next backward pass accumulate into the same buffers), or drops them when <paramref name="setToNone"/>.
    /// </summary>
    public void ZeroGrad(bool setToNone = false)
    {
        foreach (var p in Parameters())
        {
            if (setToNone || p.Grad is null) p.Grad = null;
            else p.Grad.FillInPlace(0);
        }
    }

    /// <summary>Name of the layer as shown by <see cref="ToString"/>, with its settings, e.g. <c>Linear(in=4, out=2)</c>.</summary>
    protected virtual string Describe() => GetType().Name;

    /// <summary>A tree view of the module and its children.</summary>
    public override string ToString()
    {
        var sb = new System.Text.StringBuilder();
        Print(sb, "", 0);
        return sb.ToString();
    }

    private void Print(System.Text.StringBuilder sb, string name, int depth)
    {
        sb.Append(' ', 2 * depth);
        if (name.Length > 0) sb.Append('(').Append(name).Append("): ");
        sb.Append(Describe()).Append('\n');
        foreach (var (childName, child) in _children) child.Print(sb, childName, depth + 1);
    }
}

/// <summary>A module with a typed forward pass (TorchSharp's shape); recurrent layers can take tuples.</summary>
/// <typeparam name="TIn">Input type, e.g. <see cref="Tensor"/>.</typeparam>
/// <typeparam name="TOut">Output type.</typeparam>
public abstract class Module<TIn, TOut> : Module
{
    /// <summary>Computes the module's output.</summary>
    /// <param name="input">The input.</param>
    public abstract TOut Forward(TIn input);
}
