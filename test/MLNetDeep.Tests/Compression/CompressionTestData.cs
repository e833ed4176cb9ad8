using MLNetDeep.Data;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Optim;

namespace MLNetDeep.Tests.Compression;

/// <summary>Data of the compression tests: synthetic images and a short training of the test double.</summary>
internal static class CompressionTestData
{
    /// <summary>Seeded noise images (side × side, 4 classes): class c brightens quadrant c, so a small CNN learns it in a few epochs.</summary>
    public static List<ImageRow> Synthetic(int count, int side, int seed)
    {
        var rng = new Random(seed);
        int h = side / 2;
        return Enumerable.Range(0, count).Select(_ =>
        {
            int c = rng.Next(4);
            var px = new float[side * side];
            for (int i = 0; i < px.Length; i++)
            {
                int r = i / side, col = i % side;
                bool lit = (r < h ? 0 : 2) + (col < h ? 0 : 1) == c;
                px[i] = (float)rng.NextDouble() * 0.6f + (lit ? 0.4f : 0f);
            }
            return new ImageRow { Image = px, Label = (uint)c + 1 };
        }).ToList();
    }

    /// <summary>Trains <paramref name="model"/>'s network with Adam for <paramref name="epochs"/> epochs (row order, batch 64).</summary>
    public static void Train(TestNetworkClassifier model, IDataView data, int epochs, double learningRate = 2e-3)
    {
        var optimizer = new Adam(model.Network.Parameters(), learningRate);
        model.Network.Train();
        for (int e = 0; e < epochs; e++)
            foreach (var (x, y) in model.ReadBatches(data, 64, "Label"))
            {
                optimizer.ZeroGrad();
                F.CrossEntropy(model.Network.Forward(x), y).Backward();
                optimizer.Step();
            }
        model.Network.Eval();
    }
}
