using MLNetDeep.Tensors.Nn;

namespace MLNetDeep.OnnxExport.Exporters;

/// <summary>What the ONNX recurrent nodes of a stacked layer need besides their weights.</summary>
/// <param name="Op">"RNN", "LSTM" or "GRU".</param>
/// <param name="NumLayers">Stacked layers (one node each).</param>
/// <param name="Bidirectional">Whether each node runs both directions.</param>
/// <param name="HiddenSize">State size.</param>
/// <param name="BatchFirst">Whether input and output are [B, T, …].</param>
/// <param name="Nonlinearity">The RNN activation (null for LSTM/GRU).</param>
internal sealed record RecurrentLayout(string Op, int NumLayers, bool Bidirectional, int HiddenSize, bool BatchFirst, RecurrentNonlinearity? Nonlinearity);

/// <summary>Value names of one layer node's W, R, B and P inputs in ONNX's layout ("" when omitted).</summary>
internal sealed record LayerWeights(string W, string R, string B, string P);
