// Benchmarks against peers: `dotnet run -c Release --project bench/MLNetDeep.Bench -- SUITE [options]`.
// Each suite runs our engine and its peer in the same run and ends with `SUITE: ours=<x> peer=<y> ratio=<r>`.
using MLNetDeep.Bench;

var suites = new Dictionary<string, Func<string[], int>>
{
    ["gemm"] = GemmSuite.Run,
    ["mlp-train"] = MlpTrainSuite.Run,
    ["conv-train"] = ConvTrainSuite.Run,
    ["detector-train"] = DetectorTrainSuite.Run,
    ["gru-train"] = GruTrainSuite.Run,
    ["attention"] = AttentionSuite.Run,
    ["onnx-infer"] = OnnxInferSuite.Run,
    ["stream-vocab"] = StreamVocabSuite.Run,
    ["word2vec"] = Word2VecSuite.Run,
    ["seq2seq"] = Seq2SeqSuite.Run,
    ["quantized"] = QuantizedSuite.Run,
    ["quantized-report"] = QuantizedReportSuite.Run,
};

if (args.Length == 0 || !suites.TryGetValue(args[0], out var suite))
{
    Console.Error.WriteLine($"usage: MLNetDeep.Bench SUITE   (suites: {string.Join(", ", suites.Keys)})");
    return 2;
}
return suite(args[1..]);
