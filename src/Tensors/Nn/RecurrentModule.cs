using MLNetDeep.Tensors.Kernels;

namespace MLNetDeep.Tensors.Nn;

/// <summary>Result of a recurrent layer: the per-step outputs and the final states.</summary>
/// <param name="Output">[T, B, D·H] (or [B, T, D·H] with batchFirst); zero at padded steps.</param>
/// <param name="HN">[L·D, B, H]: each layer/direction's state after its last valid step.</param>
/// <param name="CN">LSTM only: the final cell states, [L·D, B, H]; null otherwise.</param>
public sealed record RecurrentOutput(Tensor Output, Tensor HN, Tensor? CN);

/// <summary>
/// Shared machinery of <see cref="RNN"/>, <see cref="LSTM"/> and <see cref="GRU"/>: torch.nn's parameter
/// names and layouts (weight_ih_l{k}[_reverse] [G·H, in], weight_hh_l{k} [G·H, H], bias_ih_l{k},
/// bias_hh_l{k}), initialization U(−1/√H, 1/√H), stacking, bidirectionality, dropout between layers
/// and variable-length batches. Each layer direction runs as one fused primitive.
/// </summary>
public abstract class RecurrentModule : Module<Tensor, Tensor>
{
    private readonly RecurrentCellKind _kind;
    private readonly Generator? _dropoutGenerator;
    private readonly Tensor[][] _weights; // per layer·direction: wih, whh, bih?, bhh?, peephole?

    /// <summary>Size of each input step.</summary>
    public int InputSize { get; }

    /// <summary>Size of the hidden state.</summary>
    public int HiddenSize { get; }

    /// <summary>Number of stacked layers.</summary>
    public int NumLayers { get; }

    /// <summary>Whether the layers have biases.</summary>
    public bool HasBias { get; }

    /// <summary>Whether input and output are [B, T, …] instead of [T, B, …] (states stay [L·D, B, H]).</summary>
    public bool BatchFirst { get; }

    /// <summary>Dropout probability applied to each layer's output except the last, in training mode.</summary>
    public double DropoutP { get; }

    /// <summary>Whether a backward direction runs too (outputs concatenated: [fwd, bwd]).</summary>
    public bool Bidirectional { get; }

    /// <summary>
    /// Truncated backpropagation through time: when k &gt; 0 the gradient carried into the recurrent state
    /// is cut every k steps, i.e. the state after processing steps k, 2k, … (counted from the first step a
    /// direction processes: t = 0 forward, t = T−1 backward) is treated as detached. Outputs are unchanged;
    /// 0 (the default) disables it.
    /// </summary>
    public int TruncatedBackpropSteps
    {
        get => _truncate;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(TruncatedBackpropSteps));
            _truncate = value;
        }
    }

    private int _truncate;

    private protected int Directions => Bidirectional ? 2 : 1;

    /// <summary>The cell (for the quantized counterpart).</summary>
    internal RecurrentCellKind Kind => _kind;

    private protected RecurrentModule(RecurrentCellKind kind, int inputSize, int hiddenSize, int numLayers, bool bias, bool batchFirst,
        double dropout, bool bidirectional, bool peephole, Generator? generator, DType dtype)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hiddenSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(numLayers, 1);
        if (!(dropout >= 0 && dropout <= 1)) throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "Dropout probability must be in [0, 1].");
        if (dtype == DType.Int64) throw new ArgumentException("Recurrent parameters must be floating-point.", nameof(dtype));
        _kind = kind;
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        NumLayers = numLayers;
        HasBias = bias;
        BatchFirst = batchFirst;
        DropoutP = dropout;
        Bidirectional = bidirectional;
        _dropoutGenerator = generator;
        var g = generator ?? Generator.Default;
        int gates = kind.GateCount();
        double bound = 1 / Math.Sqrt(hiddenSize);
        Tensor P(string name, int[] shape) => RegisterParameter(name, Init.Uniform(Tensor.Zeros(shape, dtype), -bound, bound, g));
        _weights = new Tensor[numLayers * Directions][];
        for (int l = 0; l < numLayers; l++)
            for (int d = 0; d < Directions; d++)
            {
                string sfx = $"_l{l}" + (d == 1 ? "_reverse" : "");
                int inSize = l == 0 ? inputSize : hiddenSize * Directions;
                var list = new List<Tensor> { P("weight_ih" + sfx, [gates * hiddenSize, inSize]), P("weight_hh" + sfx, [gates * hiddenSize, hiddenSize]) };
                if (bias) { list.Add(P("bias_ih" + sfx, [gates * hiddenSize])); list.Add(P("bias_hh" + sfx, [gates * hiddenSize])); }
                if (peephole) list.Add(P("weight_peephole" + sfx, [3, hiddenSize]));
                _weights[l * Directions + d] = list.ToArray();
            }
    }

    /// <summary>Runs the layers and returns only the outputs (for use inside <see cref="Sequential"/>).</summary>
    public override Tensor Forward(Tensor input) => Run(input, null, null, null, null).Output;

    /// <summary>The full computation behind the public Forward overloads of the subclasses.</summary>
    private protected RecurrentOutput Run(Tensor input, Tensor? h0, Tensor? c0, int[]? lengths, Tensor? mask)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank == 2)
        {
            // One unbatched sequence [T, in] with states [L·D, H], as in PyTorch (whatever batchFirst says).
            if (h0 is not null && h0.Rank != 2) throw new ArgumentException($"For an unbatched input h0 must be [L·D, H], got {ShapeUtil.Format(h0.Shape)}.", nameof(h0));
            if (c0 is not null && c0.Rank != 2) throw new ArgumentException($"For an unbatched input c0 must be [L·D, H], got {ShapeUtil.Format(c0.Shape)}.", nameof(c0));
            var r = Run(input.Unsqueeze(BatchFirst ? 0 : 1), h0?.Unsqueeze(1), c0?.Unsqueeze(1), lengths, mask?.Unsqueeze(BatchFirst ? 0 : 1));
            return new RecurrentOutput(r.Output.Squeeze(BatchFirst ? 0 : 1), r.HN.Squeeze(1), r.CN?.Squeeze(1));
        }
        if (input.Rank != 3 || input.Size(2) != InputSize)
            throw new ArgumentException($"Expected input of shape [{(BatchFirst ? "B, T" : "T, B")}, {InputSize}] or [T, {InputSize}], got {ShapeUtil.Format(input.Shape)}.", nameof(input));
        if (input.DType != _weights[0][0].DType)
            throw new ArgumentException($"Input is {input.DType} but the parameters are {_weights[0][0].DType}.", nameof(input));
        var x = BatchFirst ? input.Transpose(0, 1) : input;
        int steps = x.Size(0), batch = x.Size(1), H = HiddenSize, LD = NumLayers * Directions;
        var lens = RecurrentLengths.Resolve(lengths, mask, steps, batch, BatchFirst);
        bool lstm = _kind == RecurrentCellKind.Lstm;
        h0 = CheckState(h0, nameof(h0), LD, batch, input.DType);
        if (lstm) c0 = CheckState(c0, nameof(c0), LD, batch, input.DType);

        var hn = new List<Tensor>();
        var cn = new List<Tensor>();
        for (int l = 0; l < NumLayers; l++)
        {
            var outs = new Tensor[Directions];
            for (int d = 0; d < Directions; d++)
            {
                int k = l * Directions + d;
                var w = _weights[k];
                var y = F.RecurrentLayer(_kind, x, h0.Select(0, k), lstm ? c0!.Select(0, k) : null, w[0], w[1],
                    HasBias ? w[2] : null, HasBias ? w[3] : null, w.Length % 2 == 1 ? w[^1] : null, lens, d == 1, _truncate);
                outs[d] = y.Narrow(0, 0, steps);
                hn.Add(y.Select(0, steps));
                if (lstm) cn.Add(y.Select(0, steps + 1));
            }
            x = Directions == 1 ? outs[0] : Tensor.Cat(outs, 2);
            if (l < NumLayers - 1 && DropoutP > 0) x = F.Dropout(x, DropoutP, IsTraining, _dropoutGenerator);
        }
        var output = BatchFirst ? x.Transpose(0, 1) : x;
        return new RecurrentOutput(output, Tensor.Stack(hn), lstm ? Tensor.Stack(cn) : null);
    }

    private Tensor CheckState(Tensor? state, string name, int layers, int batch, DType dtype)
    {
        if (state is null) return Tensor.Zeros([layers, batch, HiddenSize], dtype);
        if (state.Rank != 3 || state.Size(0) != layers || state.Size(1) != batch || state.Size(2) != HiddenSize)
            throw new ArgumentException($"Expected {name} of shape [{layers}, {batch}, {HiddenSize}], got {ShapeUtil.Format(state.Shape)}.", name);
        if (state.DType != dtype) throw new ArgumentException($"{name} is {state.DType} but the input is {dtype}.", name);
        return state;
    }

    /// <inheritdoc/>
    protected override string Describe() =>
        $"{GetType().Name}({InputSize}, {HiddenSize}, num_layers={NumLayers}, bias={HasBias}, batch_first={BatchFirst}, dropout={DropoutP}, bidirectional={Bidirectional})";
}
