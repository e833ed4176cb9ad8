using MLNetDeep.Tensors.Kernels;

namespace MLNetDeep.Tensors.Nn;

/// <summary>
/// Multi-layer gated recurrent unit with torch.nn.GRU's parameters and semantics: gates r, z, n stacked in
/// that order; r = σ(W_ir x + b_ir + W_hr h + b_hr), z likewise, n = tanh(W_in x + b_in + r⊙(W_hn h + b_hn)),
/// h' = (1 − z)⊙n + z⊙h.
/// </summary>
public sealed class GRU : RecurrentModule
{
    /// <summary>Creates the layers and initializes them U(−1/√hidden, 1/√hidden).</summary>
    /// <param name="inputSize">Size of each input step.</param>
    /// <param name="hiddenSize">Size of the state.</param>
    /// <param name="numLayers">Stacked layers.</param>
    /// <param name="bias">Whether to learn biases.</param>
    /// <param name="batchFirst">Input/output as [B, T, …].</param>
    /// <param name="dropout">Dropout on every layer's output but the last, in training mode.</param>
    /// <param name="bidirectional">Add a backward direction.</param>
    /// <param name="generator">Random source for initialization and dropout.</param>
    /// <param name="dtype">Parameter dtype.</param>
    public GRU(int inputSize, int hiddenSize, int numLayers = 1, bool bias = true, bool batchFirst = false, double dropout = 0,
        bool bidirectional = false, Generator? generator = null, DType dtype = DType.Float32)
        : base(RecurrentCellKind.Gru, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, false, generator, dtype)
    {
    }

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
