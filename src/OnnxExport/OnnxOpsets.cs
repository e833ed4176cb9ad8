namespace MLNetDeep.OnnxExport;

/// <summary>
/// The ONNX operator-set versions the exporter writes (13 to 17), the IR version each needs, and the
/// first default-domain opset of every operator the exporters use, so a node an opset lacks is refused
/// when it is added rather than by a runtime later.
/// </summary>
public static class OnnxOpsets
{
    /// <summary>The default opset (IR version 8).</summary>
    public const int Default = 17;

    /// <summary>Oldest supported opset: Squeeze/Unsqueeze/ReduceSum take their axes as inputs from 13.</summary>
    public const int Min = 13;

    /// <summary>Newest supported opset (the newest the reference checker, onnx 1.12, knows).</summary>
    public const int Max = 17;

    // First opset in which each operator exists with the signature the exporters rely on.
    private static readonly Dictionary<string, int> s_since = new(StringComparer.Ordinal)
    {
        ["Abs"] = 13, ["Add"] = 13, ["AveragePool"] = 11, ["BatchNormalization"] = 9, ["Cast"] = 13,
        ["Concat"] = 13, ["Constant"] = 13, ["ConstantOfShape"] = 9, ["Conv"] = 11, ["ConvTranspose"] = 11,
        ["Div"] = 13, ["Equal"] = 13, ["Erf"] = 13, ["Exp"] = 13, ["Expand"] = 13, ["Flatten"] = 13,
        ["GRU"] = 7, ["Gather"] = 13, ["Gemm"] = 13, ["GlobalAveragePool"] = 1, ["Greater"] = 13,
        ["Identity"] = 13, ["LSTM"] = 7, ["LayerNormalization"] = 17, ["LeakyRelu"] = 6, ["Less"] = 13,
        ["Log"] = 13, ["LogSoftmax"] = 13, ["MatMul"] = 13, ["Max"] = 13, ["MaxPool"] = 12, ["Min"] = 13,
        ["Mul"] = 13, ["Neg"] = 13, ["Not"] = 1, ["Pad"] = 13, ["Pow"] = 13, ["RNN"] = 7, ["Range"] = 11,
        ["ReduceMax"] = 13, ["ReduceMean"] = 13, ["ReduceSum"] = 13, ["Relu"] = 13, ["Reshape"] = 13,
        ["Resize"] = 13, ["Shape"] = 13, ["Sigmoid"] = 13, ["Slice"] = 13, ["Softmax"] = 13, ["Split"] = 13,
        ["Sqrt"] = 13, ["Squeeze"] = 13, ["Sub"] = 13, ["Tanh"] = 13, ["Tile"] = 13, ["Transpose"] = 13,
        ["Trilu"] = 14, ["Unsqueeze"] = 13, ["Where"] = 9, ["Clip"] = 13, ["HardSigmoid"] = 6,
        ["Softplus"] = 1, ["Elu"] = 6, ["Selu"] = 6, ["PRelu"] = 9, ["Sum"] = 13, ["Mean"] = 13,
        ["ReduceL2"] = 13, ["Reciprocal"] = 13, ["Floor"] = 13, ["Ceil"] = 13, ["Sign"] = 13,
        ["Sin"] = 7, ["Cos"] = 7, ["Einsum"] = 12, ["CumSum"] = 14, ["ArgMax"] = 13, ["TopK"] = 11,
        ["InstanceNormalization"] = 6, ["GlobalMaxPool"] = 1, ["DepthToSpace"] = 13, ["Dropout"] = 13,
        ["HardSwish"] = 14, ["Mish"] = 18, ["Gelu"] = 20, ["Softsign"] = 1, ["Celu"] = 12,
    };

    /// <summary>The IR version a model of opset <paramref name="opset"/> declares (13–14 → 7, 15–17 → 8).</summary>
    /// <param name="opset">A supported opset.</param>
    public static long IrVersionFor(int opset)
    {
        Validate(opset);
        return opset <= 14 ? 7 : 8;
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless <see cref="Min"/> ≤ <paramref name="opset"/> ≤ <see cref="Max"/>.</summary>
    /// <param name="opset">The opset to check.</param>
    public static void Validate(int opset)
    {
        if (opset < Min || opset > Max)
            throw new ArgumentOutOfRangeException(nameof(opset), opset, $"ONNX opset must be between {Min} and {Max}.");
    }

    /// <summary>The first opset that has <paramref name="opType"/> in the form the exporters use, or null when unknown.</summary>
    /// <param name="opType">Operator name in the default domain.</param>
    public static int? Since(string opType) => s_since.TryGetValue(opType, out var v) ? v : null;
}
