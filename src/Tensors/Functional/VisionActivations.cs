namespace MLNetDeep.Tensors;

public static partial class F
{
    /// <summary>min(max(x, 0), 6) (PyTorch's <c>relu6</c>); the gradient passes where 0 &lt; x &lt; 6.</summary>
    public static Tensor Relu6(Tensor x) => Tensor.Relu6(x);

    /// <summary>x·relu6(x + 3)/6 (PyTorch's <c>hardswish</c>), derived from <see cref="Relu6"/>.</summary>
    public static Tensor Hardswish(Tensor x) => x.Mul(Tensor.Relu6(x.Add(3))).Div(6);
}
