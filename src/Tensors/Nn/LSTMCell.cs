using MLNetDeep.Tensors.Kernels;

namespace MLNetDeep.Tensors.Nn;

/// <summary>One LSTM step (gates i, f, g, o), as torch.nn.LSTMCell.</summary>
public sealed class LSTMCell : RecurrentCellModule
{
    /// <summary>Creates the cell and initializes it U(−1/√hidden, 1/√hidden).</summary>
    /// <param name="inputSize">Size of the input.</param>
    /// <param name="hiddenSize">Size of the state.</param>
    /// <param name="bias">Whether to learn biases.</param>
    /// <param name="generator">Random source for initialization.</param>
    /// <param name="dtype">Parameter dtype.</param>
    public LSTMCell(int inputSize, int hiddenSize, bool bias = true, Generator? generator = null, DType dtype = DType.Float32)
        : base(RecurrentCellKind.Lstm, inputSize, hiddenSize, bias, generator, dtype)
    {
    }

    /// <summary>One step: input [B, in], states [B, H] (default zeros) → new (h, c); unbatched: [in], [H] → [H].</summary>
    public (Tensor H, Tensor C) Forward(Tensor input, Tensor? hx = null, Tensor? cx = null)
    {
        var y = Step(input, hx, cx);
        return (y.Select(0, 1), y.Select(0, 2));
    }
}
