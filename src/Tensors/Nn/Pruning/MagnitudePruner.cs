namespace MLNetDeep.Tensors.Nn.Pruning;

/// <summary>
/// Magnitude pruning of a network's <see cref="Conv2d"/> and <see cref="Linear"/> weights (see <see cref="PrunableLayer"/>).
/// Unstructured pruning zeroes the individual weights of smallest |w|, over all layers at once (<see cref="PruningScope.Global"/>)
/// or layer by layer; structured pruning zeroes whole output channels (a filter, or a row of a Linear weight, and its bias
/// entry) of smallest L1 or L2 norm, layer by layer, leaving the last layer (the logits) whole. Exactly
/// <c>round(sparsity · n)</c> elements (channels) are chosen, ties broken by position. Masks are computed from the
/// current values; weights already zero rank first, so pruning again to a higher target keeps earlier choices.
/// </summary>
public static class MagnitudePruner
{
    /// <summary>Computes the masks of <paramref name="method"/> at <paramref name="sparsity"/> and applies them to <paramref name="network"/>.</summary>
    /// <param name="network">The network, modified in place.</param>
    /// <param name="method">Unstructured or channel-structured.</param>
    /// <param name="sparsity">Fraction of weights (unstructured) or of output channels per layer (structured) to zero, in [0, 1).</param>
    /// <param name="scope">Unstructured only: one global threshold or one per layer.</param>
    /// <param name="normOrder">Structured only: 1 (L1) or 2 (L2) channel norm.</param>
    /// <returns>The applied masks.</returns>
    public static PruningMasks Prune(Module network, PruningMethod method, double sparsity, PruningScope scope = PruningScope.Global, int normOrder = 2)
    {
        var masks = method == PruningMethod.Structured ? Structured(network, sparsity, normOrder) : Unstructured(network, sparsity, scope);
        masks.Apply();
        return masks;
    }

    /// <summary>Masks keeping all but the <c>round(sparsity · n)</c> smallest-magnitude weights (not applied).</summary>
    /// <param name="network">The network (read only).</param>
    /// <param name="sparsity">Fraction of prunable weights to zero, in [0, 1).</param>
    /// <param name="scope">One global ranking over all layers, or one ranking per layer.</param>
    public static PruningMasks Unstructured(Module network, double sparsity, PruningScope scope = PruningScope.Global)
    {
        CheckSparsity(sparsity);
        var layers = Layers(network);
        var masks = new PruningMasks();
        if (scope == PruningScope.PerLayer)
        {
            foreach (var layer in layers)
            {
                var magnitudes = Magnitudes(layer.Weight);
                masks.Add(layer.WeightName, layer.Weight, KeepLargest(magnitudes, Count(sparsity, magnitudes.Length)));
            }
            return masks;
        }
        var all = layers.SelectMany(l => Magnitudes(l.Weight)).ToArray();
        var keep = KeepLargest(all, Count(sparsity, all.Length));
        int offset = 0;
        foreach (var layer in layers)
        {
            int n = layer.Weight.Numel;
            masks.Add(layer.WeightName, layer.Weight, keep[offset..(offset + n)]);
            offset += n;
        }
        return masks;
    }

    /// <summary>
    /// Masks zeroing, in every layer but the last, the <c>round(sparsity · channels)</c> output channels of smallest
    /// norm: the whole filter or weight row and its bias entry (not applied).
    /// </summary>
    /// <param name="network">The network (read only).</param>
    /// <param name="sparsity">Fraction of each layer's output channels to zero, in [0, 1).</param>
    /// <param name="normOrder">1 (L1) or 2 (L2).</param>
    public static PruningMasks Structured(Module network, double sparsity, int normOrder = 2)
    {
        CheckSparsity(sparsity);
        if (normOrder is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(normOrder), normOrder, "The channel norm order must be 1 or 2.");
        var layers = Layers(network);
        var masks = new PruningMasks();
        for (int l = 0; l < layers.Count - 1; l++)
        {
            var layer = layers[l];
            int channels = layer.OutputChannels, fanIn = layer.Weight.Numel / channels;
            var w = layer.Weight.Data<float>();
            var norms = new float[channels];
            for (int c = 0; c < channels; c++)
            {
                double sum = 0;
                foreach (float v in w.Slice(c * fanIn, fanIn)) sum += normOrder == 1 ? Math.Abs(v) : (double)v * v;
                norms[c] = (float)(normOrder == 1 ? sum : Math.Sqrt(sum));
            }
            var keepChannel = KeepLargest(norms, Count(sparsity, channels));
            var keep = new bool[layer.Weight.Numel];
            for (int c = 0; c < channels; c++) Array.Fill(keep, keepChannel[c], c * fanIn, fanIn);
            masks.Add(layer.WeightName, layer.Weight, keep);
            if (layer.Bias is not null) masks.Add(layer.Name.Length == 0 ? "bias" : layer.Name + ".bias", layer.Bias, keepChannel);
        }
        return masks;
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless 0 ≤ <paramref name="sparsity"/> &lt; 1.</summary>
    public static void CheckSparsity(double sparsity)
    {
        if (!(sparsity >= 0 && sparsity < 1)) throw new ArgumentOutOfRangeException(nameof(sparsity), sparsity, "Sparsity must be in [0, 1).");
    }

    private static IReadOnlyList<PrunableLayer> Layers(Module network)
    {
        var layers = PrunableLayer.Find(network);
        if (layers.Count == 0) throw new ArgumentException($"{network.GetType().Name} has no Conv2d or Linear layer to prune.", nameof(network));
        foreach (var l in layers)
            if (l.Weight.DType != DType.Float32 || !l.Weight.IsContiguous)
                throw new ArgumentException($"Layer '{l.Name}': only contiguous float32 weights can be pruned (got {l.Weight.DType}).", nameof(network));
        return layers;
    }

    private static int Count(double sparsity, int n) => (int)Math.Min(n, Math.Round(sparsity * n, MidpointRounding.AwayFromZero));

    private static float[] Magnitudes(Tensor weight)
    {
        var w = weight.Data<float>();
        var m = new float[w.Length];
        for (int i = 0; i < w.Length; i++) m[i] = Math.Abs(w[i]);
        return m;
    }

    /// <summary>Flags all but the <paramref name="prune"/> smallest values (ties: the earlier position is pruned first).</summary>
    private static bool[] KeepLargest(float[] values, int prune)
    {
        var keep = new bool[values.Length];
        Array.Fill(keep, true);
        if (prune == 0) return keep;
        var keys = (float[])values.Clone();
        var order = new int[values.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(keys, order); // introsort is unstable: break ties by index below
        int start = 0;
        while (start < prune)
        {
            int end = start;
            while (end + 1 < keys.Length && keys[end + 1] == keys[start]) end++;
            if (end >= prune) Array.Sort(order, start, end - start + 1); // a tie straddles the cut
            for (int i = start; i < Math.Min(end + 1, prune); i++) keep[order[i]] = false;
            start = end + 1;
        }
        return keep;
    }
}
