namespace MLNetDeep.Tensors.Nn.Pruning;

/// <summary>
/// A layer whose weights magnitude pruning may zero: every <see cref="Conv2d"/> and <see cref="Linear"/> of a network,
/// with its weight viewed as <c>[output channels, fan-in]</c> and its optional bias.
/// </summary>
/// <param name="Name">The layer's qualified module name (e.g. <c>features.0</c>); its weight is <c>Name.weight</c>.</param>
/// <param name="Layer">The module.</param>
/// <param name="Weight">The weight parameter (<c>[out, in, kh, kw]</c> or <c>[out, in]</c>).</param>
/// <param name="Bias">The bias parameter, or null.</param>
public sealed record PrunableLayer(string Name, Module Layer, Tensor Weight, Tensor? Bias)
{
    /// <summary>Number of output channels (filters or output features): the weight's first dimension.</summary>
    public int OutputChannels => Weight.Shape[0];

    /// <summary>The qualified name of the weight parameter.</summary>
    public string WeightName => Name.Length == 0 ? "weight" : Name + ".weight";

    /// <summary>The Conv2d and Linear layers of <paramref name="network"/> in registration (forward) order.</summary>
    public static IReadOnlyList<PrunableLayer> Find(Module network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var layers = new List<PrunableLayer>();
        foreach (var (name, module) in network.NamedModules())
        {
            switch (module)
            {
                case Conv2d c: layers.Add(new PrunableLayer(name, c, c.Weight, c.Bias)); break;
                case Linear l: layers.Add(new PrunableLayer(name, l, l.Weight, l.Bias)); break;
            }
        }
        return layers;
    }
}
