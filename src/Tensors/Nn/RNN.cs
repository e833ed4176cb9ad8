using MLNetDeep.Tensors.Kernels;

namespace MLNetDeep.Tensors.Nn;

/// <summary>Nonlinearity of an Elman <see cref="RNN"/> or <see cref="RNNCell"/>.</summary>
public enum RecurrentNonlinearity
{
    /// <summary>tanh (the default).</summary>
    Tanh,
    /// <summary>max(0, x).</summary>
    Relu,
}

/// <summary>
/// Multi-layer Elman RNN, h_t = act(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh), torch.nn.RNN's parameters and semantics.
/// </summary>
public sealed class RNN : RecurrentModule
{
    /// <summary>The nonlinearity.</summary>
    public RecurrentNonlinearity Nonlinearity { get; }

    /// <summary>Creates the layers and initializes them U(−1/√hidden, 1/√hidden).</summary>
    /// <param name="inputSize">Size of each input step.</param>
    /// <param name="hiddenSize">Size of the state.</param>
    /// <param name="numLayers">Stacked layers.</param>
    /// <param name="nonlinearity">tanh or relu.</param>
    /// <param name="bias">Whether to learn biases.</param>
    /// <param name="batchFirst">Input/output as [B, T, …].</param>
    /// <param name="dropout">Dropout on every layer's output but the last, in training mode.</param>
    /// <param name="bidirectional">Add a backward direction.</param>
    /// <param name="generator">Random source for initialization and dropout.</param>
    /// <param name="dtype">Parameter dtype.</param>
    public RNN(int inputSize, int hiddenSize, int numLayers = 1, RecurrentNonlinearity nonlinearity = RecurrentNonlinearity.Tanh,
        bool bias = true, bool batchFirst = false, double dropout = 0, bool bidirectional = false, Generator? generator = null, DType dtype = DType.Float32)
        : base(nonlinearity == RecurrentNonlinearity.Tanh ? RecurrentCellKind.RnnTanh : RecurrentCellKind.RnnRelu,
            inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, false, generator, dtype)
        => Nonlinearity = nonlinearity;

    /// <summary>Runs the layers over a batch of sequences.</summary>
    /// <param name="input">[T, B, in] (or [B, T, in] with batchFirst).</param>
    /// <param name="h0">Initial states [L·D, B, H] (default zeros).</param>
    /// <param name="lengths">Valid steps of each sequence (int64 [B]); padded steps are skipped as in a packed sequence.</param>
    /// <param name="mask">Alternatively a padding mask ([B, T] with batchFirst, else [T, B]; nonzero = valid, a prefix).</param>
    public RecurrentOutput Forward(Tensor input, Tensor? h0, Tensor? lengths = null, Tensor? mask = null) =>
        Run(input, h0, null, RecurrentLengths.FromTensor(lengths, nameof(lengths)), mask);

    /// <summary>Runs the layers over a batch of sequences with lengths given as an array.</summary>
    public RecurrentOutput Forward(Tensor input, Tensor? h0, int[] lengths) => Run(input, h0, null, lengths, null);
}
