using MLNetDeep.Tensors.Kernels;

namespace MLNetDeep.Tensors.Nn;

/// <summary>One GRU step (gates r, z, n; n uses r⊙(W_hn h + b_hn)), as torch.nn.GRUCell.</summary>
public sealed class GRUCell : RecurrentCellModule
{
    /// <summary>Creates the cell and initializes it U(−1/√hidden, 1/√hidden).</summary>
    /// <param name="inputSize">Size of the input.</param>
    /// <param name="hiddenSize">Size of the state.</param>
    /// <param name="bias">Whether to learn biases.</param>
    /// <param name="generator">Random source for initialization.</param>
    /// <param name="dtype">Parameter dtype.</param>
    public GRUCell(int inputSize, int hiddenSize, bool bias = true, Generator? generator = null, DType dtype = DType.Float32)
        : base(RecurrentCellKind.Gru, inputSize, hiddenSize, bias, generator, dtype)
    {
    }

    /// <summary>One step: input [B, in], state [B, H] (default zeros) → new state [B, H]; unbatched: [in], [H] → [H].</summary>
    public Tensor Forward(Tensor input, Tensor? hx = null) => Step(input, hx, null).Select(0, 1);
}
