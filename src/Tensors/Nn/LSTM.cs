using MLNetDeep.Tensors.Kernels;

namespace MLNetDeep.Tensors.Nn;

/// <summary>
/// Multi-layer long short-term memory with torch.nn.LSTM's parameters and semantics: gates i, f, g, o
/// stacked in that order; c' = f⊙c + i⊙g, h' = o⊙tanh(c'). With peepholes, each layer direction gets an
/// extra parameter weight_peephole_l{k}[_reverse] of shape [3, H] (rows i, f, o):
/// i = σ(… + p_i⊙c), f = σ(… + p_f⊙c), o = σ(… + p_o⊙c') (Gers and Schmidhuber; PyTorch has none;
/// note that ONNX's LSTM input P orders the rows i, o, f).
/// </summary>
public sealed class LSTM : RecurrentModule
{
    /// <summary>Whether the gates see the cell state through peephole weights.</summary>
    public bool Peephole { get; }

    /// <summary>Creates the layers and initializes them U(−1/√hidden, 1/√hidden) (peepholes too).</summary>
    /// <param name="inputSize">Size of each input step.</param>
    /// <param name="hiddenSize">Size of the state.</param>
    /// <param name="numLayers">Stacked layers.</param>
    /// <param name="bias">Whether to learn biases.</param>
    /// <param name="batchFirst">Input/output as [B, T, …].</param>
    /// <param name="dropout">Dropout on every layer's output but the last, in training mode.</param>
    /// <param name="bidirectional">Add a backward direction.</param>
    /// <param name="peephole">Add peephole connections.</param>
    /// <param name="generator">Random source for initialization and dropout.</param>
    /// <param name="dtype">Parameter dtype.</param>
    public LSTM(int inputSize, int hiddenSize, int numLayers = 1, bool bias = true, bool batchFirst = false, double dropout = 0,
        bool bidirectional = false, bool peephole = false, Generator? generator = null, DType dtype = DType.Float32)
        : base(RecurrentCellKind.Lstm, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, peephole, generator, dtype)
        => Peephole = peephole;

    /// <summary>Runs the layers over a batch of sequences.</summary>
    /// <param name="input">[T, B, in] (or [B, T, in] with batchFirst).</param>
    /// <param name="h0">Initial hidden states [L·D, B, H] (default zeros).</param>
    /// <param name="c0">Initial cell states [L·D, B, H] (default zeros).</param>
    /// <param name="lengths">Valid steps of each sequence (int64 [B]); padded steps are skipped as in a packed sequence.</param>
    /// <param name="mask">Alternatively a padding mask ([B, T] with batchFirst, else [T, B]; nonzero = valid, a prefix).</param>
    public RecurrentOutput Forward(Tensor input, Tensor? h0, Tensor? c0, Tensor? lengths = null, Tensor? mask = null) =>
        Run(input, h0, c0, RecurrentLengths.FromTensor(lengths, nameof(lengths)), mask);

    /// <summary>Runs the layers over a batch of sequences with lengths given as an array.</summary>
    public RecurrentOutput Forward(Tensor input, Tensor? h0, Tensor? c0, int[] lengths) => Run(input, h0, c0, lengths, null);
}
