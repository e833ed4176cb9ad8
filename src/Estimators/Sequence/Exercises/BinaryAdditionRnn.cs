using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;

namespace MLNetDeep.Estimators.Sequence.Exercises;

/// <summary>Hidden activation of the binary-addition RNN.</summary>
public enum HiddenActivation
{
    /// <summary>The logistic sigmoid (the course's choice).</summary>
    Sigmoid,
    /// <summary>max(0, x).</summary>
    Relu,
}

/// <summary>
/// The course's simple RNN, composed from primitives so autograd does the backpropagation through
/// time: hₜ = act(W_x xₜ + W_h hₜ₋₁ + b), yₜ = σ(W_y hₜ + b_y), h₋₁ = 0. Input: two bits per step,
/// least significant first; output: one bit per step. Weights start U(−1, 1) as in the course.
/// </summary>
public sealed class BinaryAdditionRnn : Module
{
    /// <summary>Creates the network.</summary>
    public BinaryAdditionRnn(int hiddenSize, HiddenActivation activation, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        Activation = activation;
        HiddenSize = hiddenSize;
        Input = RegisterModule("input", new Linear(2, hiddenSize, generator: generator));
        Recurrent = RegisterModule("recurrent", new Linear(hiddenSize, hiddenSize, bias: false, generator: generator));
        Output = RegisterModule("output", new Linear(hiddenSize, 1, generator: generator));
        foreach (var p in Parameters()) Init.Uniform(p, -1, 1, generator);
    }

    /// <summary>The hidden activation.</summary>
    public HiddenActivation Activation { get; }

    /// <summary>State width.</summary>
    public int HiddenSize { get; }

    /// <summary>W_x, b.</summary>
    public Linear Input { get; }

    /// <summary>W_h.</summary>
    public Linear Recurrent { get; }

    /// <summary>W_y, b_y.</summary>
    public Linear Output { get; }

    /// <summary>Bit probabilities [B, T] for input bits [B, T, 2].</summary>
    public Tensor Forward(Tensor bits)
    {
        ArgumentNullException.ThrowIfNull(bits);
        int batch = bits.Size(0), steps = bits.Size(1);
        var h = Tensor.Zeros(batch, HiddenSize);
        var outputs = new Tensor[steps];
        for (int t = 0; t < steps; t++)
        {
            var pre = Input.Forward(bits.Select(1, t)).Add(Recurrent.Forward(h));
            h = Activation == HiddenActivation.Sigmoid ? pre.Sigmoid() : pre.Relu();
            outputs[t] = Output.Forward(h).Sigmoid();
        }
        return Tensor.Cat(outputs, 1);
    }
}
