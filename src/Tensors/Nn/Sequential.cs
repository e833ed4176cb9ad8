using System.Globalization;

namespace MLNetDeep.Tensors.Nn;

/// <summary>A chain of tensor → tensor modules applied in order; children are named "0", "1", ….</summary>
public sealed class Sequential : Module<Tensor, Tensor>
{
    private readonly List<Module<Tensor, Tensor>> _layers = [];

    /// <summary>Creates the chain.</summary>
    /// <param name="modules">The layers, in application order.</param>
    public Sequential(params Module<Tensor, Tensor>[] modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        foreach (var m in modules) Append(m);
    }

    /// <summary>Number of layers.</summary>
    public int Count => _layers.Count;

    /// <summary>The layer at <paramref name="index"/>.</summary>
    public Module<Tensor, Tensor> this[int index] => _layers[index];

    /// <summary>Adds a layer at the end (named by its position) and returns this chain.</summary>
    /// <param name="module">The layer.</param>
    public Sequential Append(Module<Tensor, Tensor> module)
    {
        RegisterModule(_layers.Count.ToString(CultureInfo.InvariantCulture), module);
        _layers.Add(module);
        return this;
    }

    /// <summary>Feeds the input through every layer in turn (the identity when empty).</summary>
    public override Tensor Forward(Tensor input)
    {
        var x = input;
        foreach (var layer in _layers) x = layer.Forward(x);
        return x;
    }
}
