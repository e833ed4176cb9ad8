using MLNetDeep.Onnx.Operators;

namespace MLNetDeep.Onnx;

/// <summary>The operator set of the managed runtime.</summary>
public static class OnnxOperators
{
    private static readonly Dictionary<string, Func<OnnxNode, OnnxKernel>> Compilers = Build();

    /// <summary>
    /// Operators the runtime claims: each passes every ONNX backend node test of that operator
    /// (and the <c>_expanded</c> variants whose operators are all claimed) in the ONNX 1.12 test data.
    /// </summary>
    public static readonly IReadOnlyList<string> Supported =
    [
        "Abs", "Add", "ArgMax", "Concat", "Constant", "ConstantOfShape", "Div", "Equal", "Erf", "Exp", "Expand",
        "Flatten", "Gather", "Gemm", "GlobalAveragePool", "Greater", "LayerNormalization", "LeakyRelu", "Less",
        "Log", "LogSoftmax", "MatMul", "Mul", "Neg", "Not", "Pow", "Range", "ReduceMax", "ReduceMean", "ReduceSum",
        "Relu", "Reshape", "Shape", "Sigmoid", "Size", "Slice", "Softmax", "Split", "Sqrt", "Squeeze", "Sub",
        "Tanh", "Transpose", "Unsqueeze", "Where", "Clip", "BatchNormalization", "Conv", "Pad", "RNN", "GRU", "LSTM", "Resize",
        "QuantizeLinear", "DequantizeLinear",
    ];

    /// <summary>
    /// Operators that run but are not claimed because some of their backend node tests need features
    /// the runtime lacks (Identity: sequence/optional values; Cast: strings; Dropout: training mode;
    /// ConvTranspose, MaxPool, AveragePool: 3-D inputs, MaxPool also uint8 and its Indices output).
    /// </summary>
    public static readonly IReadOnlyList<string> Partial = ["Identity", "Cast", "Dropout", "ConvTranspose", "MaxPool", "AveragePool"];

    /// <summary>True when a node of type <paramref name="opType"/> can be loaded.</summary>
    public static bool IsImplemented(string opType) => Compilers.ContainsKey(opType);

    internal static bool TryGetCompiler(string opType, out Func<OnnxNode, OnnxKernel> compile) =>
        Compilers.TryGetValue(opType, out compile!);

    private static Dictionary<string, Func<OnnxNode, OnnxKernel>> Build()
    {
        var r = new Dictionary<string, Func<OnnxNode, OnnxKernel>>(StringComparer.Ordinal);
        ElementwiseOps.Register(r);
        ShapeOps.Register(r);
        NnOps.Register(r);
        ConvOps.Register(r);
        RecurrentOps.Register(r);
        QuantizeOps.Register(r);
        return r;
    }
}
