using MLNetDeep.Tensors.Kernels;

namespace MLNetDeep.Tensors.Nn;

/// <summary>
/// Shared parts of <see cref="RNNCell"/>, <see cref="LSTMCell"/> and <see cref="GRUCell"/>: one step of the
/// recurrence for a batch, torch.nn's parameter names (weight_ih [G·H, in], weight_hh [G·H, H], bias_ih,
/// bias_hh) and initialization U(−1/√H, 1/√H). The step runs through the same fused primitive as the
/// full layers, with T = 1.
/// </summary>
public abstract class RecurrentCellModule : Module
{
    private readonly RecurrentCellKind _kind;

    /// <summary>Size of the input.</summary>
    public int InputSize { get; }

    /// <summary>Size of the state.</summary>
    public int HiddenSize { get; }

    /// <summary>Input weights [G·H, in] (parameter "weight_ih").</summary>
    public Tensor WeightIh { get; }

    /// <summary>Recurrent weights [G·H, H] (parameter "weight_hh").</summary>
    public Tensor WeightHh { get; }

    /// <summary>Input bias [G·H] (parameter "bias_ih"), or null.</summary>
    public Tensor? BiasIh { get; }

    /// <summary>Recurrent bias [G·H] (parameter "bias_hh"), or null.</summary>
    public Tensor? BiasHh { get; }

    private protected RecurrentCellModule(RecurrentCellKind kind, int inputSize, int hiddenSize, bool bias, Generator? generator, DType dtype)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hiddenSize, 1);
        if (dtype == DType.Int64) throw new ArgumentException("Recurrent parameters must be floating-point.", nameof(dtype));
        _kind = kind;
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        var g = generator ?? Generator.Default;
        int gates = kind.GateCount();
        double bound = 1 / Math.Sqrt(hiddenSize);
        Tensor P(string name, int[] shape) => RegisterParameter(name, Init.Uniform(Tensor.Zeros(shape, dtype), -bound, bound, g));
        WeightIh = P("weight_ih", [gates * hiddenSize, inputSize]);
        WeightHh = P("weight_hh", [gates * hiddenSize, hiddenSize]);
        if (bias)
        {
            BiasIh = P("bias_ih", [gates * hiddenSize]);
            BiasHh = P("bias_hh", [gates * hiddenSize]);
        }
    }

    /// <summary>
    /// One step: returns [1 + S, B, H] whose slices 1.. are the new h (and c); for an unbatched input [in]
    /// (states [H]) the result is [1 + S, H].
    /// </summary>
    private protected Tensor Step(Tensor input, Tensor? h, Tensor? c)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank == 1)
        {
            if (h is not null && h.Rank != 1) throw new ArgumentException($"For an unbatched input hx must be [H], got {ShapeUtil.Format(h.Shape)}.", "hx");
            if (c is not null && c.Rank != 1) throw new ArgumentException($"For an unbatched input cx must be [H], got {ShapeUtil.Format(c.Shape)}.", "cx");
            return Step(input.Unsqueeze(0), h?.Unsqueeze(0), c?.Unsqueeze(0)).Squeeze(1);
        }
        if (input.Rank != 2 || input.Size(1) != InputSize)
            throw new ArgumentException($"Expected input of shape [B, {InputSize}] or [{InputSize}], got {ShapeUtil.Format(input.Shape)}.", nameof(input));
        if (input.DType != WeightIh.DType)
            throw new ArgumentException($"Input is {input.DType} but the parameters are {WeightIh.DType}.", nameof(input));
        int batch = input.Size(0);
        h = CheckState(h, "hx", batch, input.DType);
        if (_kind == RecurrentCellKind.Lstm) c = CheckState(c, "cx", batch, input.DType);
        return F.RecurrentLayer(_kind, input.Unsqueeze(0), h, c, WeightIh, WeightHh, BiasIh, BiasHh, null, null, false, 0);
    }

    private Tensor CheckState(Tensor? state, string name, int batch, DType dtype)
    {
        if (state is null) return Tensor.Zeros([batch, HiddenSize], dtype);
        if (state.Rank != 2 || state.Size(0) != batch || state.Size(1) != HiddenSize)
            throw new ArgumentException($"Expected {name} of shape [{batch}, {HiddenSize}], got {ShapeUtil.Format(state.Shape)}.", name);
        if (state.DType != dtype) throw new ArgumentException($"{name} is {state.DType} but the input is {dtype}.", name);
        return state;
    }

    /// <inheritdoc/>
    protected override string Describe() => $"{GetType().Name}({InputSize}, {HiddenSize}, bias={BiasIh is not null})";
}
