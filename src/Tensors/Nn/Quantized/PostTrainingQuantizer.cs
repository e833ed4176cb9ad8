namespace MLNetDeep.Tensors.Nn.Quantized;

/// <summary>
/// Post-training static int8 quantization of a network built from <see cref="Sequential"/> chains (nested ones
/// included, flattened). In each chain: Conv2d [→ BatchNorm2d, folded] [→ ReLU, fused] [→ MaxPool2d(2), fused with
/// <see cref="FuseMaxPool"/>] with groups = 1 becomes a
/// <see cref="QuantizedConv2d"/>, Linear [→ ReLU] a <see cref="QuantizedLinear"/> (static, or dynamic with
/// <see cref="DynamicLinear"/>, which also turns RNN/GRU/LSTM layers into <see cref="QuantizedRecurrent"/>); a grouped convolution only gets its BatchNorm folded. Everything else (pooling not fused into a convolution,
/// flatten, other activations, residual/dense blocks, a root that is not a Sequential, convolutions shallower than
/// <see cref="MinimumConvDepth"/>) stays float32 and is shared
/// with the source network, which is never modified apart from being switched to evaluation mode.
/// Calibration runs batches through the float network with the BatchNorms folded and records each quantized
/// layer's input range with the chosen <see cref="Observer"/>.
/// </summary>
public sealed class PostTrainingQuantizer
{
    /// <summary>How input ranges are taken from the calibration batches.</summary>
    public QuantizationObserver Observer { get; }

    /// <summary>Upper percentile (and 100 − it, lower) for <see cref="QuantizationObserver.Percentile"/>.</summary>
    public double Percentile { get; }

    /// <summary>
    /// Quantize Linear layers dynamically (input range from each batch) instead of calibrating them; recurrent layers
    /// (<see cref="RecurrentModule"/>) become dynamic <see cref="QuantizedRecurrent"/>s in this mode.
    /// </summary>
    public bool DynamicLinear { get; }

    /// <summary>
    /// Convolutions whose reduction length (in_channels·KH·KW) is below this stay float32 (BatchNorm still folded) unless a
    /// max pool is fused into them (<see cref="FuseMaxPool"/>): with so few products per output (an image stem: 1·3·3 = 9)
    /// quantizing and gathering costs more than the int8 product saves.
    /// </summary>
    public int MinimumConvDepth { get; }

    /// <summary>
    /// Fuse a MaxPool2d(2) (2×2, stride 2, no padding, floor mode) that follows a quantized convolution (after its
    /// BatchNorm and ReLU) into it (<see cref="QuantizedConv2d.MaxPool"/>). A convolution with a pool to fuse is
    /// quantized whatever its depth: pooling the int32 sums and dequantizing a quarter of the outputs makes the int8
    /// convolution cheaper than the float convolution + ReLU + pool even for a 1·3·3 stem.
    /// </summary>
    public bool FuseMaxPool { get; }

    /// <summary>False for <see cref="QuantizeDynamic"/>, which leaves every convolution float32.</summary>
    private bool QuantizeConvolutions { get; init; } = true;

    /// <summary>The default <see cref="MinimumConvDepth"/>.</summary>
    public const int DefaultMinimumConvDepth = 32;

    /// <summary>Creates the quantizer.</summary>
    /// <param name="observer">Range observer.</param>
    /// <param name="percentile">Percentile in (50, 100] for the percentile observer.</param>
    /// <param name="dynamicLinear">Dynamic int8 for Linear layers.</param>
    /// <param name="minimumConvDepth">See <see cref="MinimumConvDepth"/> (≥ 0; 0 quantizes every ungrouped convolution).</param>
    /// <param name="fuseMaxPool">See <see cref="FuseMaxPool"/>.</param>
    public PostTrainingQuantizer(QuantizationObserver observer = QuantizationObserver.MinMax, double percentile = 99.99, bool dynamicLinear = false,
        int minimumConvDepth = DefaultMinimumConvDepth, bool fuseMaxPool = true)
    {
        if (!(percentile > 50 && percentile <= 100)) throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "The percentile must be in (50, 100].");
        ArgumentOutOfRangeException.ThrowIfNegative(minimumConvDepth);
        (Observer, Percentile, DynamicLinear, MinimumConvDepth, FuseMaxPool) = (observer, percentile, dynamicLinear, minimumConvDepth, fuseMaxPool);
    }

    /// <summary>Calibrates on <paramref name="calibrationBatches"/> (network inputs) and returns the quantized copy with its ranges.</summary>
    /// <exception cref="InvalidOperationException">No batch reached one of the layers to quantize.</exception>
    public QuantizationResult Quantize(Module<Tensor, Tensor> network, IEnumerable<Tensor> calibrationBatches)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(calibrationBatches);
        var slots = new List<CalibrationSlot>();
        var plan = Rewrite(network, slots);
        plan.Eval();
        int batches = 0;
        using (Tensor.NoGrad())
            foreach (var batch in calibrationBatches) { plan.Forward(batch); batches++; }
        if (slots.Count > 0 && batches == 0) throw new InvalidOperationException("Calibration needs at least one batch.");
        var ranges = slots.Select((s, i) => s.Range ?? throw new InvalidOperationException($"Quantized layer {i} saw no calibration data.")).ToArray();
        return new QuantizationResult(Convert(plan), ranges);
    }

    /// <summary>
    /// The quantized copy of <paramref name="network"/> for ranges calibrated earlier (<see cref="QuantizationResult.Ranges"/>),
    /// without calibration: the same network and ranges give the same int8 weights and outputs.
    /// </summary>
    /// <exception cref="ArgumentException">The number of ranges does not match the layers to quantize.</exception>
    public Module<Tensor, Tensor> Apply(Module<Tensor, Tensor> network, IReadOnlyList<ActivationRange> ranges)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(ranges);
        var slots = new List<CalibrationSlot>();
        var plan = Rewrite(network, slots);
        if (slots.Count != ranges.Count)
            throw new ArgumentException($"The network has {slots.Count} layers to quantize but {ranges.Count} ranges were given.", nameof(ranges));
        for (int i = 0; i < slots.Count; i++) slots[i].Range = ranges[i];
        return Convert(plan);
    }

    /// <summary>
    /// Dynamic int8 without calibration: a recurrent root or any RNN/GRU/LSTM or Linear [→ ReLU] in <see cref="Sequential"/>
    /// chains (nested ones included) becomes its dynamic quantized counterpart; everything else stays float32 and shared.
    /// </summary>
    public static Module<Tensor, Tensor> QuantizeDynamic(Module<Tensor, Tensor> network)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (network is RecurrentModule recurrent) return QuantizedRecurrent.From(recurrent);
        if (network is Linear linear) return QuantizedLinear.From(linear, null);
        return new PostTrainingQuantizer(dynamicLinear: true) { QuantizeConvolutions = false }.Apply(network, []);
    }

    /// <summary>
    /// Rewrites a Sequential with its nested chains flattened into one (same function, same layer order), so that a
    /// layer can fuse with what follows its chain (a MaxPool2d after a Conv → BatchNorm → ReLU block).
    /// </summary>
    private Module<Tensor, Tensor> Rewrite(Module<Tensor, Tensor> module, List<CalibrationSlot> slots)
    {
        if (module is not Sequential root) return module;
        var seq = Chain(root);
        var output = new List<Module<Tensor, Tensor>>();
        for (int i = 0; i < seq.Count; i++)
        {
            var layer = seq[i];
            bool NextIsRelu(int at) => at < seq.Count && seq[at] is ReLU;
            switch (layer)
            {
                case Conv2d conv:
                {
                    var folded = conv;
                    if (i + 1 < seq.Count && seq[i + 1] is BatchNormBase bn && BatchNormFolding.CanFold(conv, bn)) { folded = BatchNormFolding.Fold(conv, bn); i++; }
                    bool relu = NextIsRelu(i + 1);
                    var pool = i + (relu ? 2 : 1) < seq.Count && seq[i + (relu ? 2 : 1)] is MaxPool2d mp && FuseMaxPool && IsFusablePool(mp) ? mp : null;
                    bool shallow = folded.InChannels * folded.KernelSize.H * folded.KernelSize.W < MinimumConvDepth;
                    if (!QuantizeConvolutions || folded.Groups != 1 || (shallow && pool is null)) { output.Add(folded); break; }
                    i += (relu ? 1 : 0) + (pool is null ? 0 : 1);
                    output.Add(Slot(folded, relu, slots, pool));
                    break;
                }
                case Linear linear:
                {
                    bool relu = NextIsRelu(i + 1);
                    if (relu) i++;
                    output.Add(DynamicLinear ? QuantizedLinear.From(linear, null, relu) : Slot(linear, relu, slots));
                    break;
                }
                case RecurrentModule recurrent when DynamicLinear:
                    output.Add(QuantizedRecurrent.From(recurrent));
                    break;
                default:
                    output.Add(layer);
                    break;
            }
        }
        return new Sequential([.. output]);
    }

    private static List<Module<Tensor, Tensor>> Chain(Sequential s) =>
        [.. Enumerable.Range(0, s.Count).SelectMany(i => s[i] is Sequential inner ? Chain(inner) : [s[i]])];

    /// <summary>The pool <see cref="QuantizedConv2d.MaxPool"/> computes: 2×2, stride 2, no padding or dilation, floor mode.</summary>
    private static bool IsFusablePool(MaxPool2d pool) =>
        pool.KernelSize == 2 && pool.Stride == 2 && pool.Padding == 0 && pool.Dilation == 1 && !pool.CeilMode;

    private CalibrationSlot Slot(Module<Tensor, Tensor> layer, bool relu, List<CalibrationSlot> slots, MaxPool2d? pool = null)
    {
        var slot = new CalibrationSlot(layer, relu, pool, Observer, Percentile);
        slots.Add(slot);
        return slot;
    }

    private static Module<Tensor, Tensor> Convert(Module<Tensor, Tensor> module)
    {
        switch (module)
        {
            case CalibrationSlot slot:
                var p = (slot.Range ?? throw new InvalidOperationException("A quantized layer has no range.")).Parameters;
                return slot.Layer is Conv2d conv ? QuantizedConv2d.From(conv, p, slot.Relu, slot.Pool is not null) : QuantizedLinear.From((Linear)slot.Layer, p, slot.Relu);
            case Sequential seq:
                var net = new Sequential([.. Enumerable.Range(0, seq.Count).Select(i => Convert(seq[i]))]);
                net.Eval();
                return net;
            default:
                return module;
        }
    }
}
