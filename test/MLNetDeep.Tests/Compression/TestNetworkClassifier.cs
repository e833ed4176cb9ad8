using MLNetDeep.Data;
using MLNetDeep.Estimators.Compression;
using MLNetDeep.Persistence;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;

namespace MLNetDeep.Tests.Compression;

/// <summary>A row of an image classification set: flattened pixels and a 1-based key label.</summary>
public sealed class ImageRow
{
    [VectorType(0)] public float[] Image { get; set; } = [];
    [KeyType(10)] public uint Label { get; set; }
}

/// <summary>
/// A test double of <see cref="INetworkClassifier"/> (stands in for the image classifier): a small CNN
/// (conv 3×3 → BN → ReLU → max-pool 2 → conv 3×3 → ReLU → max-pool 2 → flatten → Linear → ReLU → Linear) over a
/// Vector&lt;Single&gt; image column, a Key label column, saved as its size options plus its state dict.
/// </summary>
internal sealed class TestNetworkClassifier : INetworkClassifier
{
    public const string ComponentName = "TestNetworkClassifier";

    static TestNetworkClassifier() => ComponentRegistry.Register(ComponentName, Load);

    public TestNetworkClassifier(int side, int width, int hidden, int classes, int seed)
        : this(Build(side, width, hidden, classes, new Generator((ulong)seed)), side, width, hidden, classes)
    {
    }

    private TestNetworkClassifier(Module<Tensor, Tensor> network, int side, int width, int hidden, int classes)
    {
        Network = network;
        (Side, Width, Hidden) = (side, width, hidden);
        Labels = Enumerable.Range(0, classes).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }

    public static void EnsureRegistered() { }

    public int Side { get; }
    public int Width { get; }
    public int Hidden { get; }
    public string ImageColumnName => "Image";
    public Module<Tensor, Tensor> Network { get; }
    public IReadOnlyList<int> InputShape => [1, Side, Side];
    public IReadOnlyList<string> Labels { get; }

    public static Sequential Build(int side, int width, int hidden, int classes, Generator g) => new(
        new Conv2d(1, width, 3, padding: 1, generator: g), new BatchNorm2d(width), new ReLU(), new MaxPool2d(2),
        new Conv2d(width, 2 * width, 3, padding: 1, generator: g), new ReLU(), new MaxPool2d(2),
        new Flatten(), new Linear(2 * width * (side / 4) * (side / 4), hidden, generator: g), new ReLU(), new Linear(hidden, classes, generator: g));

    public IEnumerable<(Tensor Input, Tensor Labels)> ReadBatches(IDataView data, int batchSize, string? labelColumnName)
    {
        var image = data.Schema[ImageColumnName];
        var label = labelColumnName is null ? null : data.Schema[labelColumnName];
        int size = Side * Side;
        var pixels = new List<float>();
        var targets = new List<long>();
        using var cursor = data.GetRowCursor(label is null ? [image] : [image, label]);
        while (true)
        {
            bool more = cursor.MoveNext();
            if (more)
            {
                pixels.AddRange(cursor.GetValue<float[]>(image));
                targets.Add(label is null ? -1 : (long)cursor.GetValue<uint>(label) - 1);
            }
            if (targets.Count == batchSize || (!more && targets.Count > 0))
            {
                yield return (Tensor.FromArray(pixels.ToArray(), targets.Count, 1, Side, Side), Tensor.FromArray(targets.ToArray()));
                pixels.Clear();
                targets.Clear();
            }
            if (!more) yield break;
        }
    }

    public INetworkClassifier WithNetwork(Module<Tensor, Tensor> network) => new TestNetworkClassifier(network, Side, Width, Hidden, Labels.Count);

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => inputSchema;

    public IDataView Transform(IDataView input) => throw new NotSupportedException("The test double scores through Network only.");

    public void Save(ModelSaveContext context)
    {
        context.SetComponent(ComponentName, 1);
        context.Options["side"] = Side;
        context.Options["width"] = Width;
        context.Options["hidden"] = Hidden;
        context.Options["classes"] = Labels.Count;
        foreach (var (name, t) in Network.StateDict()) context.AddTensor(name, t);
    }

    private static TestNetworkClassifier Load(ModelLoadContext c)
    {
        c.RequireVersion(1);
        var model = new TestNetworkClassifier(c.GetInt("side"), c.GetInt("width"), c.GetInt("hidden"), c.GetInt("classes"), 0);
        model.Network.LoadStateDict(c.Tensors);
        model.Network.Eval();
        return model;
    }
}
