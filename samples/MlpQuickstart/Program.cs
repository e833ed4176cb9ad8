// MlpQuickstart: the main job of the engine. Generates a seeded 3-class spiral data set, trains an MLP
// with Adam, saves the parameters (safetensors), reloads them into a fresh model and scores the held-out
// set with it. Exits non-zero if the reloaded model disagrees with the trained one or scores poorly.
//
//   dotnet run -c Release --project samples/MlpQuickstart [-- --epochs N --output DIR]
using System.Diagnostics;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;
using MLNetDeep.Tensors.Optim;
using MLNetDeep.Tensors.Serialization;

int epochs = 60;
string output = Path.Combine("out", "mlp-quickstart");
for (int i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--epochs": epochs = int.Parse(args[i + 1]); break;
        case "--output": output = args[i + 1]; break;
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
    }
}

const int Classes = 3, PerClass = 600, BatchSize = 64;
var (trainX, trainY, testX, testY) = Spirals.Make(Classes, PerClass, testFraction: 0.25, seed: 7);
Console.WriteLine($"data: {trainX.Size(0)} training and {testX.Size(0)} test points, {Classes} interleaved spirals");

Model Build(ulong seed)
{
    var g = new Generator(seed);
    return new Model(new Sequential(new Linear(2, 64, generator: g), new ReLU(), new Linear(64, 64, generator: g), new ReLU(), new Linear(64, Classes, generator: g)));
}

var model = Build(42);
var optimizer = new Adam(model.Net.Parameters(), learningRate: 0.01);
var shuffle = new Generator(1);
int n = trainX.Size(0);
var order = Enumerable.Range(0, n).Select(i => (long)i).ToArray();
var clock = Stopwatch.StartNew();
for (int epoch = 1; epoch <= epochs; epoch++)
{
    shuffle.Shuffle(order.AsSpan());
    double lossSum = 0;
    int batches = 0;
    for (int start = 0; start < n; start += BatchSize)
    {
        var idx = Tensor.FromArray(order[start..Math.Min(n, start + BatchSize)]);
        optimizer.ZeroGrad();
        var loss = F.CrossEntropy(model.Net.Forward(trainX.IndexSelect(0, idx)), trainY.IndexSelect(0, idx));
        loss.Backward();
        optimizer.Step();
        lossSum += loss.Item();
        batches++;
    }
    if (epoch == 1 || epoch % 10 == 0 || epoch == epochs)
        Console.WriteLine($"epoch {epoch,3}: train loss {lossSum / batches:F4}, test accuracy {model.Accuracy(testX, testY):P1}");
}
Console.WriteLine($"trained {epochs} epochs in {clock.Elapsed.TotalSeconds:F1} s");

Directory.CreateDirectory(output);
string path = Path.Combine(output, "model.safetensors");
model.Net.SaveParameters(path, new Dictionary<string, string> { ["architecture"] = "mlp 2-64-64-3", ["epochs"] = epochs.ToString() });
Console.WriteLine($"saved {model.Net.ParameterCount} parameters to {path} ({new FileInfo(path).Length} bytes)");

var reloaded = Build(999); // different initial weights, then overwritten by the file
reloaded.Net.LoadParameters(path);
var before = model.Predict(testX);
var after = reloaded.Predict(testX);
bool identical = before.SequenceEqual(after);
double accuracy = reloaded.Accuracy(testX, testY);
Console.WriteLine($"reloaded model: test accuracy {accuracy:P1}, predictions identical to the trained model: {identical}");
Console.WriteLine("ONNX export of trained models arrives with the ONNX exporter (see the open issues).");
return identical && accuracy >= 0.9 ? 0 : 1;

/// <summary>A classifier around a module: predictions and accuracy without recording gradients.</summary>
sealed class Model(Sequential net)
{
    public Sequential Net { get; } = net;

    public long[] Predict(Tensor x)
    {
        using var _ = Tensor.NoGrad();
        Net.Eval();
        var p = Net.Forward(x).Argmax(1).ToArray<long>();
        Net.Train();
        return p;
    }

    public double Accuracy(Tensor x, Tensor y) => Predict(x).Zip(y.ToArray<long>()).Count(t => t.First == t.Second) / (double)y.Numel;
}

/// <summary>The classic interleaved-spirals toy set, seeded.</summary>
static class Spirals
{
    public static (Tensor TrainX, Tensor TrainY, Tensor TestX, Tensor TestY) Make(int classes, int perClass, double testFraction, ulong seed)
    {
        var g = new Generator(seed);
        int total = classes * perClass;
        var xs = new float[total * 2];
        var ys = new long[total];
        for (int c = 0; c < classes; c++)
            for (int i = 0; i < perClass; i++)
            {
                int k = c * perClass + i;
                double r = (double)i / perClass;
                double theta = c * 2 * Math.PI / classes + r * 4 + g.NextNormal() * 0.2;
                xs[2 * k] = (float)(r * Math.Cos(theta));
                xs[2 * k + 1] = (float)(r * Math.Sin(theta));
                ys[k] = c;
            }
        var order = Enumerable.Range(0, total).ToArray();
        g.Shuffle(order.AsSpan());
        int test = (int)(total * testFraction);
        Tensor X(IEnumerable<int> rows) => Tensor.FromArray(rows.SelectMany(k => new[] { xs[2 * k], xs[2 * k + 1] }).ToArray(), rows.Count(), 2);
        Tensor Y(IEnumerable<int> rows) => Tensor.FromArray(rows.Select(k => ys[k]).ToArray());
        var trainRows = order[test..];
        var testRows = order[..test];
        return (X(trainRows), Y(trainRows), X(testRows), Y(testRows));
    }
}
