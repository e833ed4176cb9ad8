namespace MLNetDeep.Tensors.Autograd;

/// <summary>
/// One recorded operation in the autograd graph: its inputs and the rule that turns the gradient of
/// its output into gradients of its inputs (one per input, <c>null</c> where there is none).
/// </summary>
internal sealed class Node(string name, Tensor[] inputs, Func<Tensor, Tensor?[]> backward)
{
    public string Name { get; } = name;
    public Tensor[] Inputs { get; } = inputs;
    public Func<Tensor, Tensor?[]> Backward { get; } = backward;
}
