using MLNetDeep.Tensors.Kernels;

namespace MLNetDeep.Tensors.Nn;

/// <summary>One Elman RNN step, h' = act(W_ih x + b_ih + W_hh h + b_hh), as torch.nn.RNNCell.</summary>
public sealed class RNNCell : RecurrentCellModule
{
    /// <summary>The nonlinearity.</summary>
    public RecurrentNonlinearity Nonlinearity { get; }

    /// <summary>Creates the cell and initializes it U(−1/√hidden, 1/√hidden).</summary>
    /// <param name="inputSize">Size of the input.</param>
    /// <param name="hiddenSize">Size of the state.</param>
    /// <param name="bias">Whether to learn biases.</param>
    /// <param name="nonlinearity">tanh or relu.</param>
    /// <param name="generator">Random source for initialization.</param>
    /// <param name="dtype">Parameter dtype.</param>
    public RNNCell(int inputSize, int hiddenSize, bool bias = true, RecurrentNonlinearity nonlinearity = RecurrentNonlinearity.Tanh,
        Generator? generator = null, DType dtype = DType.Float32)
        : base(nonlinearity == RecurrentNonlinearity.Tanh ? RecurrentCellKind.RnnTanh : RecurrentCellKind.RnnRelu, inputSize, hiddenSize, bias, generator, dtype)
        => Nonlinearity = nonlinearity;

    /// <summary>One step: input [B, in], state [B, H] (default zeros) → new state [B, H]; unbatched: [in], [H] → [H].</summary>
    public Tensor Forward(Tensor input, Tensor? hx = null) => Step(input, hx, null).Select(0, 1);
}
