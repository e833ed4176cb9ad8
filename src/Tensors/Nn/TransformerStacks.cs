namespace MLNetDeep.Tensors.Nn;

/// <summary>
/// A stack of <see cref="TransformerEncoderLayer"/>s with an optional final norm (torch.nn.TransformerEncoder;
/// parameter names "layers.0.self_attn.in_proj_weight", …, "norm.weight").
/// </summary>
public sealed class TransformerEncoder : Module<Tensor, Tensor>
{
    private readonly List<TransformerEncoderLayer> _layers = [];

    /// <summary>The final norm, or null.</summary>
    public LayerNorm? Norm { get; }

    /// <summary>The layers, in order.</summary>
    public IReadOnlyList<TransformerEncoderLayer> Layers => _layers;

    /// <summary>Builds <paramref name="numLayers"/> layers from <paramref name="makeLayer"/> (called with the layer index; each call must return a new layer).</summary>
    /// <param name="makeLayer">Layer factory.</param>
    /// <param name="numLayers">Number of layers (≥ 1).</param>
    /// <param name="norm">Optional final norm.</param>
    public TransformerEncoder(Func<int, TransformerEncoderLayer> makeLayer, int numLayers, LayerNorm? norm = null)
    {
        ArgumentNullException.ThrowIfNull(makeLayer);
        ArgumentOutOfRangeException.ThrowIfLessThan(numLayers, 1);
        var list = RegisterModule("layers", new LayerList());
        for (int i = 0; i < numLayers; i++) _layers.Add(list.Add(i, makeLayer(i)));
        if (norm is not null) Norm = RegisterModule("norm", norm);
    }

    /// <summary>Encodes without masks.</summary>
    public override Tensor Forward(Tensor input) => Forward(input, null, null);

    /// <summary>Runs every layer with the same masks, then the final norm.</summary>
    /// <param name="src">[L, N, E] (or batch-first).</param>
    /// <param name="mask">Attention mask.</param>
    /// <param name="srcKeyPaddingMask">Padding mask [N, L].</param>
    /// <param name="causal">Mask future positions.</param>
    public Tensor Forward(Tensor src, Tensor? mask, Tensor? srcKeyPaddingMask, bool causal = false)
    {
        var x = src;
        foreach (var layer in _layers) x = layer.Forward(x, mask, srcKeyPaddingMask, causal);
        return Norm is null ? x : Norm.Forward(x);
    }
}

/// <summary>A stack of <see cref="TransformerDecoderLayer"/>s with an optional final norm (torch.nn.TransformerDecoder).</summary>
public sealed class TransformerDecoder : Module
{
    private readonly List<TransformerDecoderLayer> _layers = [];

    /// <summary>The final norm, or null.</summary>
    public LayerNorm? Norm { get; }

    /// <summary>The layers, in order.</summary>
    public IReadOnlyList<TransformerDecoderLayer> Layers => _layers;

    /// <summary>Builds <paramref name="numLayers"/> layers from <paramref name="makeLayer"/>.</summary>
    /// <param name="makeLayer">Layer factory (called with the layer index).</param>
    /// <param name="numLayers">Number of layers (≥ 1).</param>
    /// <param name="norm">Optional final norm.</param>
    public TransformerDecoder(Func<int, TransformerDecoderLayer> makeLayer, int numLayers, LayerNorm? norm = null)
    {
        ArgumentNullException.ThrowIfNull(makeLayer);
        ArgumentOutOfRangeException.ThrowIfLessThan(numLayers, 1);
        var list = RegisterModule("layers", new LayerList());
        for (int i = 0; i < numLayers; i++) _layers.Add(list.Add(i, makeLayer(i)));
        if (norm is not null) Norm = RegisterModule("norm", norm);
    }

    /// <summary>Runs every layer against the same memory and masks, then the final norm.</summary>
    /// <param name="tgt">[T, N, E] (or batch-first).</param>
    /// <param name="memory">[S, N, E] (or batch-first).</param>
    /// <param name="tgtMask">Target attention mask.</param>
    /// <param name="memoryMask">Cross-attention mask.</param>
    /// <param name="tgtKeyPaddingMask">Target padding mask.</param>
    /// <param name="memoryKeyPaddingMask">Memory padding mask.</param>
    /// <param name="tgtIsCausal">Mask future target positions.</param>
    public Tensor Forward(Tensor tgt, Tensor memory, Tensor? tgtMask = null, Tensor? memoryMask = null,
        Tensor? tgtKeyPaddingMask = null, Tensor? memoryKeyPaddingMask = null, bool tgtIsCausal = false)
    {
        var x = tgt;
        foreach (var layer in _layers) x = layer.Forward(x, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask, tgtIsCausal);
        return Norm is null ? x : Norm.Forward(x);
    }
}

/// <summary>Holds numbered child layers ("0", "1", …) so parameter names match torch's ModuleList.</summary>
internal sealed class LayerList : Module
{
    public T Add<T>(int index, T layer) where T : Module => RegisterModule(index.ToString(System.Globalization.CultureInfo.InvariantCulture), layer);
}
