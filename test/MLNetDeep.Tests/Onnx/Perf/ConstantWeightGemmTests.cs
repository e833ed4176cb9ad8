using Google.Protobuf;
using MLNetDeep.Tests.Onnx.Runtime;
using MLNetDeep.Onnx;
using MLNetDeep.OnnxExport.Schema;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Kernels;
using NUnit.Framework;

namespace MLNetDeep.Tests.Onnx.Perf;

/// <summary>
/// Gemm with a constant transposed B (a Linear layer) runs on the packed batch-wide GEMM (B packed once) or
/// with B transposed once: against a float64 reference, with and without bias, with alpha ≠ 1 (the other
/// path), fused Relu, batch 1 and batch &gt; 1, repeated runs, one and two threads.
/// </summary>
[TestFixture]
public sealed class ConstantWeightGemmTests
{
    private const int K = 300, N = 37;

    [TestCase(true, 1f, false)]
    [TestCase(false, 1f, false)]
    [TestCase(true, 0.5f, false)]
    [TestCase(true, 1f, true)]
    public void MatchesReference(bool withBias, float alpha, bool relu)
    {
        var rng = new Random(3);
        var w = Enumerable.Range(0, N * K).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var b = Enumerable.Range(0, N).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var session = new OnnxSession(OnnxModel.Load(Model(w, withBias ? b : null, alpha, relu).ToByteArray()));
        int saved = Parallelism.NumThreads;
        try
        {
            foreach (int threads in new[] { 1, 2 })
            foreach (int m in new[] { 1, 5, 1, 16 })
            {
                Parallelism.NumThreads = threads;
                var x = Enumerable.Range(0, m * K).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
                var y = session.Run(new Dictionary<string, Tensor> { ["x"] = Tensor.FromArray(x, m, K) })["y"];
                Assert.That(y.Dims, Is.EqualTo(new[] { m, N }));
                var ys = y.Contiguous().ToFloatArray();
                for (int i = 0; i < m; i++)
                for (int j = 0; j < N; j++)
                {
                    double acc = 0;
                    for (int p = 0; p < K; p++) acc += (double)x[i * K + p] * w[j * K + p];
                    acc = alpha * acc + (withBias ? b[j] : 0);
                    if (relu) acc = Math.Max(acc, 0);
                    Assert.That(ys[i * N + j], Is.EqualTo(acc).Within(1e-4), $"threads {threads}, rows {m}, ({i}, {j})");
                }
            }
        }
        finally { Parallelism.NumThreads = saved; }
    }

    private static ModelProto Model(float[] w, float[]? b, float alpha, bool relu)
    {
        var g = new GraphProto { Name = "linear" };
        g.Input.Add(OnnxFuzzTests.Input("x", 1, -1, K));
        g.Initializer.Add(OnnxFuzzTests.Floats("w", w, N, K));
        var gemm = new NodeProto { OpType = "Gemm", Name = "gemm" };
        gemm.Input.Add(["x", "w"]);
        if (b != null)
        {
            g.Initializer.Add(OnnxFuzzTests.Floats("b", b, N));
            gemm.Input.Add("b");
        }
        gemm.Output.Add(relu ? "h" : "y");
        gemm.Attribute.Add(new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        gemm.Attribute.Add(new AttributeProto { Name = "alpha", Type = AttributeProto.Types.AttributeType.Float, F = alpha });
        g.Node.Add(gemm);
        if (relu)
        {
            var r = new NodeProto { OpType = "Relu", Name = "relu" };
            r.Input.Add("h");
            r.Output.Add("y");
            g.Node.Add(r);
        }
        g.Output.Add(OnnxFuzzTests.Input("y", 1, -1, N));
        var m = new ModelProto { IrVersion = 8, Graph = g, ProducerName = "test" };
        m.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return m;
    }
}
