using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Optim;

namespace MLNetDeep.Estimators.Sequence.Exercises;

/// <summary>Settings of <see cref="BinaryAdditionExercise"/>.</summary>
public sealed class BinaryAdditionOptions
{
    /// <summary>Hidden activation.</summary>
    public HiddenActivation Activation { get; set; } = HiddenActivation.Sigmoid;

    /// <summary>State width (the course: 16).</summary>
    public int HiddenSize { get; set; } = 16;

    /// <summary>SGD steps.</summary>
    public int Iterations { get; set; } = 10_000;

    /// <summary>Pairs per step.</summary>
    public int BatchSize { get; set; } = 1;

    /// <summary>SGD learning rate on the summed squared error of a pair (the course: 0.1).</summary>
    public double LearningRate { get; set; } = 0.1;

    /// <summary>Steps between points of the learning curve.</summary>
    public int EvaluationInterval { get; set; } = 500;

    /// <summary>Fraction of the pairs (a, b &lt; 128) held out.</summary>
    public double HeldOutFraction { get; set; } = 0.2;

    /// <summary>Seed of the weights, the split and the sampling.</summary>
    public int Seed { get; set; } = 1;
}

/// <summary>A point of the learning curve.</summary>
/// <param name="Iteration">Steps done.</param>
/// <param name="Loss">Mean squared error per bit over the last interval's training pairs.</param>
/// <param name="HeldOutAccuracy">Fraction of held-out pairs whose 8-bit sum is entirely right.</param>
public sealed record BinaryAdditionPoint(int Iteration, double Loss, double HeldOutAccuracy);

/// <summary>The curve and outcome of one run.</summary>
/// <param name="Curve">Learning curve.</param>
/// <param name="FinalHeldOutAccuracy">Held-out accuracy at the end.</param>
/// <param name="HeldOutPairs">Held-out pairs.</param>
public sealed record BinaryAdditionResult(IReadOnlyList<BinaryAdditionPoint> Curve, double FinalHeldOutAccuracy, int HeldOutPairs);

/// <summary>
/// The course's exercise: a simple RNN adds two 8-bit numbers (a, b &lt; 128, so the sum fits), reading
/// one bit of each per step, least significant first, and writing one sum bit per step; trained by SGD
/// with backpropagation through the 8 steps on the squared error, as in the course. The pairs are split
/// into training and held-out sets.
/// </summary>
public static class BinaryAdditionExercise
{
    /// <summary>Trains and returns the learning curve (reproducible for a seed).</summary>
    public static BinaryAdditionResult Run(BinaryAdditionOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.HiddenSize, nameof(options.HiddenSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Iterations, nameof(options.Iterations));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BatchSize, nameof(options.BatchSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.EvaluationInterval, nameof(options.EvaluationInterval));
        var random = new Random(options.Seed);
        var pairs = Enumerable.Range(0, 128 * 128).Select(i => (A: i / 128, B: i % 128)).ToArray();
        random.Shuffle(pairs);
        int held = (int)(pairs.Length * options.HeldOutFraction);
        var test = pairs[..held];
        var train = pairs[held..];
        var net = new BinaryAdditionRnn(options.HiddenSize, options.Activation, new Generator((ulong)options.Seed));
        var sgd = new Sgd(net.Parameters(), options.LearningRate);
        var (testX, testY) = Encode(test);
        var curve = new List<BinaryAdditionPoint>();
        double lossSum = 0;
        int lossCount = 0;
        for (int it = 1; it <= options.Iterations; it++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = new (int, int)[options.BatchSize];
            for (int i = 0; i < batch.Length; i++) batch[i] = train[random.Next(train.Length)];
            var (x, y) = Encode(batch);
            sgd.ZeroGrad();
            var loss = net.Forward(x).Sub(y).Square().Sum().Div(batch.Length);
            loss.Backward();
            sgd.Step();
            double l = loss.Item();
            lossSum += double.IsFinite(l) ? l / 8 : double.NaN;
            lossCount++;
            if (it % options.EvaluationInterval == 0 || it == options.Iterations)
            {
                curve.Add(new BinaryAdditionPoint(it, lossSum / lossCount, Accuracy(net, testX, testY)));
                lossSum = 0;
                lossCount = 0;
            }
        }
        return new BinaryAdditionResult(curve, curve[^1].HeldOutAccuracy, test.Length);
    }

    /// <summary>Input bits [N, 8, 2] and sum bits [N, 8], least significant first.</summary>
    public static (Tensor Bits, Tensor Sum) Encode(IReadOnlyList<(int A, int B)> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var x = new float[pairs.Count * 16];
        var y = new float[pairs.Count * 8];
        for (int i = 0; i < pairs.Count; i++)
        {
            var (a, b) = pairs[i];
            for (int t = 0; t < 8; t++)
            {
                x[i * 16 + t * 2] = (a >> t) & 1;
                x[i * 16 + t * 2 + 1] = (b >> t) & 1;
                y[i * 8 + t] = ((a + b) >> t) & 1;
            }
        }
        return (Tensor.FromArray(x, pairs.Count, 8, 2), Tensor.FromArray(y, pairs.Count, 8));
    }

    private static double Accuracy(BinaryAdditionRnn net, Tensor x, Tensor y)
    {
        float[] p;
        using (Tensor.NoGrad()) p = net.Forward(x).ToArray<float>();
        var truth = y.ToArray<float>();
        int rows = truth.Length / 8, right = 0;
        for (int r = 0; r < rows; r++)
        {
            bool ok = true;
            for (int t = 0; t < 8 && ok; t++) ok = (p[r * 8 + t] > 0.5f) == (truth[r * 8 + t] > 0.5f);
            if (ok) right++;
        }
        return (double)right / rows;
    }
}
