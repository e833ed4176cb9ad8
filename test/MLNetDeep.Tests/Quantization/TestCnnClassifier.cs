using MLNetDeep.Data;
using MLNetDeep.Estimators.Compression;
using MLNetDeep.OnnxExport;
using MLNetDeep.Persistence;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;
using MLNetDeep.Tensors.Optim;

namespace MLNetDeep.Tests.Quantization;

/// <summary>
/// A test double of an image classifier (INetworkClassifier): a small CNN over the "Image" column (784 pixels),
/// labels "0".."9"; Transform returns Score and PredictedLabel only. Saved as its state dict.
/// </summary>
public sealed class TestCnnClassifier : INetworkClassifier, IOnnxExportable
{
    public const string ComponentName = "TestCnnClassifier";

    public sealed class Scored
    {
        [VectorType(10)]
        public float[] Score { get; set; } = [];

        [KeyType(10)]
        public uint PredictedLabel { get; set; }
    }

    public TestCnnClassifier(Module<Tensor, Tensor> network)
    {
        Network = network;
        network.Eval();
    }

    public static void Register() => ComponentRegistry.Register(ComponentName, c => Load(c));

    public Module<Tensor, Tensor> Network { get; }

    public IReadOnlyList<int> InputShape => [1, 28, 28];

    public IReadOnlyList<string> Labels => [.. Enumerable.Range(0, 10).Select(i => i.ToString())];

    public IReadOnlyList<string> OnnxInputColumnNames => ["Image"];

    public IReadOnlyList<string> OnnxOutputColumnNames => ["Score"];

    public Module OnnxNetwork => new FlatImageNetwork(Network);

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => new DeepContext(0).Data.LoadFromEnumerable(new List<Scored>()).Schema;

    public IDataView Transform(IDataView input)
    {
        var rows = new List<Scored>();
        foreach (var (x, _) in ReadBatches(input, 256, null))
        {
            float[] p;
            using (Tensor.NoGrad()) p = F.Softmax(Network.Forward(x), 1).ToFloatArray();
            for (int r = 0; r < x.Size(0); r++)
            {
                var s = p.AsSpan(r * 10, 10).ToArray();
                rows.Add(new Scored { Score = s, PredictedLabel = (uint)Array.IndexOf(s, s.Max()) + 1 });
            }
        }
        return new DeepContext(0).Data.LoadFromEnumerable(rows);
    }

    public IEnumerable<(Tensor Input, Tensor Labels)> ReadBatches(IDataView data, int batchSize, string? labelColumnName)
    {
        var image = data.Schema.GetColumnOrNull("Image") ?? throw new SchemaMismatchException("Image", "no Image column");
        var label = labelColumnName is null ? null : data.Schema.GetColumnOrNull(labelColumnName);
        var xs = new List<float>();
        var ys = new List<long>();
        using var cursor = data.GetRowCursor();
        while (true)
        {
            bool more = cursor.MoveNext();
            if (more)
            {
                xs.AddRange((float[])cursor.GetValue(image.Index));
                ys.Add(label is null ? -1 : (uint)cursor.GetValue(label.Index) - 1L);
            }
            if (ys.Count == batchSize || (!more && ys.Count > 0))
            {
                yield return (Tensor.FromArray(xs.ToArray(), ys.Count, 1, 28, 28), Tensor.FromArray(ys.ToArray(), ys.Count));
                xs.Clear();
                ys.Clear();
            }
            if (!more) yield break;
        }
    }

    public INetworkClassifier WithNetwork(Module<Tensor, Tensor> network) => new TestCnnClassifier(network);

    public void Save(ModelSaveContext context)
    {
        context.SetComponent(ComponentName, 1);
        foreach (var (name, t) in Network.StateDict()) context.AddTensor(name, t);
    }

    private static TestCnnClassifier Load(ModelLoadContext c)
    {
        var net = QuantizedLayerTests.SmallCnn(new Generator(0));
        net.LoadStateDict(c.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value), strict: true);
        return new TestCnnClassifier(net);
    }

    /// <summary>Trains the small CNN with Adam on <paramref name="rows"/> for <paramref name="steps"/> steps of 32.</summary>
    public static TestCnnClassifier Train(IReadOnlyList<MLNetDeep.Tests.Vision.FashionMnist.Row> rows, int steps, int seed)
    {
        var g = new Generator((ulong)seed);
        var net = QuantizedLayerTests.SmallCnn(g);
        var opt = new Adam(net.Parameters(), 2e-3);
        net.Train();
        var x = new float[32 * 784];
        var y = new long[32];
        for (int step = 0; step < steps; step++)
        {
            for (int i = 0; i < 32; i++)
            {
                var row = rows[(int)(g.NextDouble() * rows.Count)];
                row.Image.CopyTo(x, i * 784);
                y[i] = row.Label - 1;
            }
            opt.ZeroGrad();
            F.CrossEntropy(net.Forward(Tensor.FromArray(x, 32, 1, 28, 28)), Tensor.FromArray(y, 32)).Backward();
            opt.Step();
        }
        return new TestCnnClassifier(net);
    }
}

/// <summary>[batch, 784] → softmax(network([batch, 1, 28, 28])): the double's scoring graph, with its ONNX exporter.</summary>
public sealed class FlatImageNetwork : Module<Tensor, Tensor>
{
    public FlatImageNetwork(Module<Tensor, Tensor> network) => Network = RegisterModule("network", network);

    public Module<Tensor, Tensor> Network { get; }

    public override Tensor Forward(Tensor input) => F.Softmax(Network.Forward(input.Reshape(input.Size(0), 1, 28, 28)), 1);

    public static void RegisterExporter() => OnnxExportRegistry.Default.Register<FlatImageNetwork>((ctx, m, inputs) =>
    {
        string flat = inputs[0];
        string images = ctx.Builder.Node("Reshape", [flat, ctx.Builder.AddInt64s("image_shape", -1, 1, 28, 28)]);
        var sample = ctx.Sample(flat);
        ctx.SetSample(images, sample.Reshape(sample.Size(0), 1, 28, 28));
        string logits = ctx.Export(m.Network, [images])[0];
        return [ctx.Node("Softmax", [logits], OnnxAttr.Int("axis", 1))];
    });
}
