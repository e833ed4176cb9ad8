using MLNetDeep.Tensors.Kernels;

namespace MLNetDeep.Tensors.Nn.Quantized;

/// <summary>
/// Inference-only dynamic int8 counterpart of <see cref="RNN"/>, <see cref="GRU"/> and <see cref="LSTM"/>: each layer
/// direction's W_ih and W_hh are int8 per output row (<see cref="QuantizedLinear"/>s with their fp32 biases), the
/// activations are quantized per tensor from their own min/max at every product, the input projection of a whole
/// sequence in one call and the state once per step; gates and states stay float32. Same semantics as the float module
/// (layers, bidirectional, batchFirst, unbatched input, lengths/mask with packed-sequence behaviour, initial states);
/// LSTM peepholes are not supported.
/// </summary>
public sealed class QuantizedRecurrent : Module<Tensor, Tensor>
{
    private readonly RecurrentCellKind _kind;
    private readonly QuantizedLinear[] _ih; // per layer·direction
    private readonly QuantizedLinear[] _hh;

    /// <summary>Size of each input step.</summary>
    public int InputSize { get; }

    /// <summary>Size of the hidden state.</summary>
    public int HiddenSize { get; }

    /// <summary>Number of stacked layers.</summary>
    public int NumLayers { get; }

    /// <summary>Whether input and output are [B, T, …].</summary>
    public bool BatchFirst { get; }

    /// <summary>Whether a backward direction runs too.</summary>
    public bool Bidirectional { get; }

    /// <summary>Whether this is an LSTM (takes and returns cell states).</summary>
    public bool IsLstm => _kind == RecurrentCellKind.Lstm;

    /// <summary>Whether this is a GRU.</summary>
    public bool IsGru => _kind == RecurrentCellKind.Gru;

    /// <summary>The activation of a plain RNN; null for LSTM and GRU.</summary>
    public RecurrentNonlinearity? Nonlinearity => _kind switch
    {
        RecurrentCellKind.RnnTanh => RecurrentNonlinearity.Tanh,
        RecurrentCellKind.RnnRelu => RecurrentNonlinearity.Relu,
        _ => null,
    };

    /// <summary>Input-to-hidden product of layer l, direction d (index l·D + d).</summary>
    public IReadOnlyList<QuantizedLinear> InputWeights => _ih;

    /// <summary>Hidden-to-hidden product of layer l, direction d (index l·D + d).</summary>
    public IReadOnlyList<QuantizedLinear> HiddenWeights => _hh;

    private int Directions => Bidirectional ? 2 : 1;

    private QuantizedRecurrent(RecurrentModule source)
    {
        _kind = source.Kind;
        (InputSize, HiddenSize, NumLayers, BatchFirst, Bidirectional) = (source.InputSize, source.HiddenSize, source.NumLayers, source.BatchFirst, source.Bidirectional);
        var p = source.NamedParameters().ToDictionary(kv => kv.Key, kv => kv.Value);
        int ld = NumLayers * Directions;
        (_ih, _hh) = (new QuantizedLinear[ld], new QuantizedLinear[ld]);
        for (int l = 0; l < NumLayers; l++)
            for (int d = 0; d < Directions; d++)
            {
                string sfx = $"_l{l}" + (d == 1 ? "_reverse" : "");
                _ih[l * Directions + d] = Product(p["weight_ih" + sfx], source.HasBias ? p["bias_ih" + sfx] : null);
                _hh[l * Directions + d] = Product(p["weight_hh" + sfx], source.HasBias ? p["bias_hh" + sfx] : null);
            }
        Eval();
    }

    private static QuantizedLinear Product(Tensor weight, Tensor? bias)
    {
        int rows = weight.Size(0), depth = weight.Size(1);
        var (q, scales) = Int8Quantization.QuantizeWeights(weight.Contiguous().ToFloatArray(), rows, depth);
        return new QuantizedLinear(q, scales, bias?.ToFloatArray(), depth, null, false);
    }

    /// <summary>Quantizes a float recurrent layer (which is left unchanged).</summary>
    /// <exception cref="NotSupportedException">An LSTM with peephole connections.</exception>
    public static QuantizedRecurrent From(RecurrentModule module)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (module is LSTM { Peephole: true })
            throw new NotSupportedException("Dynamic int8 quantization does not support the LSTM option 'peephole'.");
        return new QuantizedRecurrent(module);
    }

    /// <summary>Runs the layers and returns only the outputs (for use inside <see cref="Sequential"/>).</summary>
    public override Tensor Forward(Tensor input) => Forward(input, null).Output;

    /// <summary>Runs the layers over a batch of sequences, as the float module's Forward (float32 results).</summary>
    /// <param name="input">[T, B, in] (or [B, T, in] with batchFirst), or one unbatched sequence [T, in].</param>
    /// <param name="h0">Initial hidden states [L·D, B, H] (default zeros).</param>
    /// <param name="c0">LSTM only: initial cell states [L·D, B, H] (default zeros).</param>
    /// <param name="lengths">Valid steps of each sequence (int64 [B]).</param>
    /// <param name="mask">Alternatively a padding mask ([B, T] with batchFirst, else [T, B]; nonzero = valid, a prefix).</param>
    public RecurrentOutput Forward(Tensor input, Tensor? h0, Tensor? c0 = null, Tensor? lengths = null, Tensor? mask = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (c0 is not null && !IsLstm) throw new ArgumentException("c0 is only for an LSTM.", nameof(c0));
        if (input.Rank == 2)
        {
            int axis = BatchFirst ? 0 : 1;
            var r = Forward(input.Unsqueeze(axis), h0?.Unsqueeze(1), c0?.Unsqueeze(1), lengths, mask?.Unsqueeze(axis));
            return new RecurrentOutput(r.Output.Squeeze(axis), r.HN.Squeeze(1), r.CN?.Squeeze(1));
        }
        if (input.Rank != 3 || input.Size(2) != InputSize)
            throw new ArgumentException($"Expected input of shape [{(BatchFirst ? "B, T" : "T, B")}, {InputSize}] or [T, {InputSize}], got {ShapeUtil.Format(input.Shape)}.", nameof(input));
        var x = BatchFirst ? input.Transpose(0, 1) : input;
        int steps = x.Size(0), batch = x.Size(1), H = HiddenSize, D = Directions, LD = NumLayers * D;
        var lens = RecurrentLengths.Resolve(RecurrentLengths.FromTensor(lengths, nameof(lengths)), mask, steps, batch, BatchFirst);
        var hn = State(h0, nameof(h0), LD, batch);
        var cn = IsLstm ? State(c0, nameof(c0), LD, batch) : null;
        float[] xs = x.Contiguous().ToFloatArray();
        int inSize = InputSize;
        for (int l = 0; l < NumLayers; l++)
        {
            var next = new float[steps * batch * D * H];
            for (int d = 0; d < D; d++)
                RunDirection(l * D + d, xs, inSize, steps, batch, lens, d, hn, cn, next);
            (xs, inSize) = (next, D * H);
        }
        var output = Tensor.Wrap(xs, [steps, batch, D * H], DType.Float32);
        return new RecurrentOutput(BatchFirst ? output.Transpose(0, 1).Contiguous() : output,
            Tensor.Wrap(hn, [LD, batch, H], DType.Float32), cn is null ? null : Tensor.Wrap(cn, [LD, batch, H], DType.Float32));
    }

    /// <summary>One layer direction; the states in <paramref name="hn"/>/<paramref name="cn"/> at k are read as h0/c0 and overwritten with the final ones.</summary>
    private void RunDirection(int k, float[] xs, int inSize, int steps, int batch, int[]? lens, int d, float[] hn, float[]? cn, float[] output)
    {
        int H = HiddenSize, G = _kind.GateCount() * H, D = Directions;
        var gi = _ih[k].Forward(Tensor.Wrap(xs, [steps * batch, inSize], DType.Float32)).ToArray<float>();
        var h = hn.AsSpan(k * batch * H, batch * H).ToArray();
        var c = cn?.AsSpan(k * batch * H, batch * H).ToArray();
        for (int s = 0; s < steps; s++)
        {
            int t = d == 1 ? steps - 1 - s : s;
            var gh = _hh[k].Forward(Tensor.Wrap(h, [batch, H], DType.Float32)).ToArray<float>();
            for (int b = 0; b < batch; b++)
            {
                if (lens != null && t >= lens[b]) continue;
                var a = gi.AsSpan((t * batch + b) * G, G);
                var r = gh.AsSpan(b * G, G);
                var hb = h.AsSpan(b * H, H);
                for (int j = 0; j < H; j++)
                    hb[j] = _kind switch
                    {
                        RecurrentCellKind.RnnTanh => MathF.Tanh(a[j] + r[j]),
                        RecurrentCellKind.RnnRelu => Math.Max(0f, a[j] + r[j]),
                        RecurrentCellKind.Gru => GruStep(a, r, hb[j], j, H),
                        _ => LstmStep(a, r, ref c![b * H + j], j, H),
                    };
                hb.CopyTo(output.AsSpan((t * batch + b) * D * H + d * H, H));
            }
        }
        h.CopyTo(hn, k * batch * H);
        c?.CopyTo(cn!, k * batch * H);
    }

    private static float Sigmoid(float v) => 1f / (1f + MathF.Exp(-v));

    private static float GruStep(Span<float> a, Span<float> r, float h, int j, int H)
    {
        float reset = Sigmoid(a[j] + r[j]), update = Sigmoid(a[H + j] + r[H + j]);
        float n = MathF.Tanh(a[2 * H + j] + reset * r[2 * H + j]);
        return (1 - update) * n + update * h;
    }

    private static float LstmStep(Span<float> a, Span<float> r, ref float c, int j, int H)
    {
        float i = Sigmoid(a[j] + r[j]), f = Sigmoid(a[H + j] + r[H + j]);
        float g = MathF.Tanh(a[2 * H + j] + r[2 * H + j]), o = Sigmoid(a[3 * H + j] + r[3 * H + j]);
        c = f * c + i * g;
        return o * MathF.Tanh(c);
    }

    private float[] State(Tensor? state, string name, int layers, int batch)
    {
        if (state is null) return new float[layers * batch * HiddenSize];
        if (state.Rank != 3 || state.Size(0) != layers || state.Size(1) != batch || state.Size(2) != HiddenSize)
            throw new ArgumentException($"Expected {name} of shape [{layers}, {batch}, {HiddenSize}], got {ShapeUtil.Format(state.Shape)}.", name);
        return state.Contiguous().ToFloatArray();
    }

    /// <inheritdoc/>
    protected override string Describe() =>
        $"QuantizedRecurrent({_kind}, {InputSize}, {HiddenSize}, num_layers={NumLayers}, batch_first={BatchFirst}, bidirectional={Bidirectional}, dynamic int8)";
}
